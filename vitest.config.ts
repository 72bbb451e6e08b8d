import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Two files at a time even on two cores: most of a file's time is spent waiting on sockets
    // and timers, not CPU (vitest's default would run one file at a time there).
    maxWorkers: 2,
  },
});
