import { EmulatorClient, type WizardUserJson } from "../rest-client/index.js";
import type { MockPbxUserInput } from "./pbx-users.js";

export interface ConnectorApi {
  readonly url: string;
  readonly apiKey: string;
  readonly ca: string | Buffer | undefined;
}

/**
 * The user wizard's Create/Add in the cloud (connector API): a tenant user with this e-mail
 * is assigned to the system with the callno, otherwise a new one is created and assigned.
 */
export async function createCloudUser(
  api: ConnectorApi,
  systemId: string,
  user: MockPbxUserInput,
): Promise<{ cloud: WizardUserJson; created: boolean }> {
  const { emailAddress, firstName, lastName, callno } = user;
  if (!emailAddress || !firstName || !lastName)
    throw new RangeError("creating a user in the cloud needs emailAddress, firstName and lastName");
  const client = new EmulatorClient({
    baseUrl: api.url,
    apiKey: api.apiKey,
    ...(api.ca === undefined ? {} : { ca: api.ca }),
  });
  try {
    const found = (await client.connector.searchUsers({ search: emailAddress })).items.find(
      (u) => u.emailAddress.toLowerCase() === emailAddress.toLowerCase(),
    );
    if (found)
      return { cloud: await client.connector.assignUser(found.id, { systemId, callno }), created: false };
    const cloud = await client.connector.createUser({ systemId, emailAddress, firstName, lastName, callno });
    return { cloud, created: true };
  } finally {
    await client.close();
  }
}
