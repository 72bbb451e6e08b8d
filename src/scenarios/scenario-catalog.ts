import { readdirSync } from "node:fs";
import path from "node:path";
import { loadScenarioFile, SCENARIO_NAME } from "./parse-scenario.js";
import type { Scenario, ScenarioSummary } from "./scenario.js";
import { formatScenarioIssue, ScenarioError, ScenarioNotFoundError } from "./scenario-error.js";
import { defaultScenariosDir } from "./scenarios-dir.js";

const EXTENSION = ".yaml";

/**
 * The `scenarios/*.yaml` of one folder. Files are read on every call, so an edited
 * scenario is picked up without a restart.
 */
export class ScenarioCatalog {
  constructor(readonly dir: string = defaultScenariosDir()) {}

  /** Scenario names (file names without `.yaml`), sorted. */
  names(): string[] {
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch {
      return [];
    }
    return files
      .filter((f) => f.endsWith(EXTENSION))
      .map((f) => f.slice(0, -EXTENSION.length))
      .filter((n) => SCENARIO_NAME.test(n))
      .sort();
  }

  /** Every scenario; a file that does not validate is listed with its first problem. */
  list(): ScenarioSummary[] {
    return this.names().map((name) => {
      try {
        const { description, symptom } = this.load(name);
        return { name, description, symptom };
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        return {
          name,
          description: "",
          symptom: "",
          error: formatScenarioIssue(error.issues[0]!, error.file),
        };
      }
    });
  }

  /** Throws ScenarioNotFoundError, or ScenarioError when the file does not validate. */
  load(name: string): Scenario {
    const names = this.names();
    if (!names.includes(name)) throw new ScenarioNotFoundError(name, names);
    return loadScenarioFile(path.join(this.dir, `${name}${EXTENSION}`));
  }

  /** `--scenario` at startup: a catalog name, or the path of a scenario file of your own. */
  resolve(nameOrFile: string): Scenario {
    return /[\\/]|\.ya?ml$/i.test(nameOrFile) ? loadScenarioFile(nameOrFile) : this.load(nameOrFile);
  }
}
