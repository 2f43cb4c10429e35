// Progress of a run on stderr: a bar redrawn in place on a terminal, plain lines otherwise.
import type { Progress } from "./run-loop.ts";

interface Colors {
  green(text: string): string;
  dim(text: string): string;
}

export function progressReporter(color: Colors, stream: NodeJS.WriteStream = process.stderr): (progress: Progress) => void {
  let lastLine = 0;
  let lastDone = -1;
  return (p) => {
    const text = `${p.tasksDone}/${p.tasksTotal} tasks done · ${p.checkpoints} checkpoints`;
    if (stream.isTTY) {
      const width = 24;
      const filled = p.tasksTotal ? Math.round((width * p.tasksDone) / p.tasksTotal) : 0;
      stream.write(`\r${color.green("█".repeat(filled))}${color.dim("░".repeat(width - filled))} ${text}\x1b[K`);
      if (p.tasksTotal && p.tasksDone === p.tasksTotal) stream.write("\n");
      return;
    }
    // Without a terminal: a line when tasks finish, at most one a second, and the last one.
    const now = Date.now();
    if (p.tasksDone !== lastDone && (now - lastLine >= 1000 || p.tasksDone === p.tasksTotal)) {
      stream.write(`progress: ${text}\n`);
      lastLine = now;
      lastDone = p.tasksDone;
    }
  };
}
