// Preloaded into the emulator under test (node --import): answers "memory" over the IPC
// channel with process.memoryUsage(), after a full GC when asked ("memory-gc", needs
// --expose-gc). The channel is unref'd so it never keeps the emulator alive on shutdown.
if (process.send && process.channel) {
  process.on("message", (request) => {
    if (request !== "memory" && request !== "memory-gc") return;
    if (request === "memory-gc" && typeof globalThis.gc === "function") globalThis.gc();
    process.send?.({ memory: process.memoryUsage() });
  });
  process.channel.unref();
}
