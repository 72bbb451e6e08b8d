import { fileURLToPath } from "node:url";

/**
 * The package's own `scenarios/` folder. This module sits one level below the package
 * root in `src/` (checkout, vitest) and in `dist/` (built, npx, Docker's /app), so the
 * folder is two levels up from it in every layout.
 */
export function defaultScenariosDir(): string {
  return fileURLToPath(new URL("../../scenarios/", import.meta.url));
}
