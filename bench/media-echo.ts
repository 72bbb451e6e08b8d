/**
 * Media micro-bench: N echo sessions in this process, N tone sessions in a child process
 * (the "PBX"), each pair exchanging 50 packets/s for some seconds over 127.0.0.1. Prints
 * the echo side's CPU per packet, the loss each way, and memory per session.
 *
 *   npx tsx bench/media-echo.ts [sessions=1000] [seconds=10] [firstPort=40000]
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MediaEngine, type MediaSession } from "../src/media/index.js";

type ToChild = { type: "answers"; answers: string[] };
type FromChild =
  | { type: "offers"; offers: string[] }
  | { type: "done"; sent: number; received: number; lost: number };
type Done = Extract<FromChild, { type: "done" }>;

const [sessionsArg, secondsArg, portArg] = process.argv.slice(2).filter((a) => a !== "--generator");
const sessions = Number(sessionsArg ?? 1000);
const seconds = Number(secondsArg ?? 10);
const firstPort = Number(portArg ?? 40000);
const span = 2 * sessions + 1;

async function generator(): Promise<void> {
  const engine = new MediaEngine({
    host: "127.0.0.1",
    bind: "127.0.0.1",
    portRange: { min: firstPort + span + 1, max: firstPort + 2 * span + 1 },
  });
  const created: MediaSession[] = [];
  for (let i = 0; i < sessions; i++) created.push(await engine.createSession({ mode: "tone" }));
  process.send?.({ type: "offers", offers: created.map((s) => s.offer()) } satisfies FromChild);
  process.once("message", (message: ToChild) => {
    message.answers.forEach((sdp, i) => {
      if (!created[i]!.applyAnswer(sdp).ok) throw new Error(`answer ${i} refused`);
    });
    setTimeout(() => {
      const total = { sent: 0, received: 0, lost: 0 };
      for (const s of created) {
        total.sent += s.stats.packetsSent;
        total.received += s.stats.packetsReceived;
        total.lost += s.stats.packetsLost;
      }
      // Counted before closing, so packets in flight at the end are not loss.
      process.send?.({ type: "done", ...total } satisfies FromChild, () => {
        void engine.close().then(() => process.exit(0));
      });
    }, seconds * 1000);
  });
}

async function echoSide(): Promise<void> {
  const engine = new MediaEngine({
    host: "127.0.0.1",
    bind: "127.0.0.1",
    portRange: { min: firstPort, max: firstPort + span },
  });
  const rssBefore = process.memoryUsage().rss;
  const created: MediaSession[] = [];
  for (let i = 0; i < sessions; i++) created.push(await engine.createSession({ mode: "echo" }));
  const rssSessions = process.memoryUsage().rss - rssBefore;
  const child = fork(fileURLToPath(import.meta.url), ["--generator", ...process.argv.slice(2)], {
    execArgv: process.execArgv,
  });
  const { peer, cpuSeconds } = await new Promise<{ peer: Done; cpuSeconds: number }>((resolve) => {
    let cpuStart = process.cpuUsage();
    child.on("message", (message: FromChild) => {
      if (message.type === "offers") {
        const answers = message.offers.map((offer, i) => {
          const answer = created[i]!.answer(offer);
          if (!answer.ok) throw new Error(answer.reason);
          return answer.sdp;
        });
        cpuStart = process.cpuUsage();
        child.send({ type: "answers", answers } satisfies ToChild);
      } else {
        const cpu = process.cpuUsage(cpuStart);
        resolve({ peer: message, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
      }
    });
  });
  printReport(peer, cpuSeconds, rssSessions);
  await engine.close();

  function printReport(peer: Done, cpuSeconds: number, rss: number): void {
    let received = 0;
    let sent = 0;
    for (const s of created) {
      received += s.stats.packetsReceived;
      sent += s.stats.packetsSent;
    }
    const pct = (a: number, b: number): string => (b === 0 ? "n/a" : `${((100 * a) / b).toFixed(3)} %`);
    console.log(`sessions                ${sessions} pairs, ${seconds} s, goal 50 packets/s each way`);
    console.log(
      `tone packets sent       ${peer.sent} (${(peer.sent / sessions / seconds).toFixed(1)} /s per session)`,
    );
    console.log(`echo side received      ${received}  short by ${pct(peer.sent - received, peer.sent)}`);
    console.log(`echo side sent back     ${sent}`);
    console.log(
      `generator received      ${peer.received}  short by ${pct(sent - peer.received, sent)} (loss + unread backlog)`,
    );
    console.log(`sequence-gap loss       ${peer.lost} at the generator`);
    console.log(
      `echo side CPU           ${cpuSeconds.toFixed(2)} s = ${((100 * cpuSeconds) / seconds).toFixed(1)} % of one core`,
    );
    console.log(
      `echo CPU per packet     ${((cpuSeconds * 1e6) / Math.max(1, received + sent)).toFixed(2)} µs (in + out)`,
    );
    console.log(`RSS per idle session    ${(rss / sessions / 1024).toFixed(1)} KiB`);
  }
}

if (process.argv.includes("--generator")) void generator();
else void echoSide();
