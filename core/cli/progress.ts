// Progress for long jobs: a live bar on a terminal, plain periodic lines
// elsewhere (CI logs, pipes), always on stderr so --json stdout stays clean.
import { SingleBar, Presets } from 'cli-progress';

export interface ProgressFields {
  label: string;
  step: number;
  total: number;
  /** short "name value" pairs shown after the bar */
  info: string;
  etaSec: number;
}

function fmtEta(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.max(0, Math.round(sec));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class ProgressView {
  private bar?: SingleBar;
  private label = '';
  private lastLine = 0;

  constructor(private readonly tty = !!process.stderr.isTTY, private readonly lineEverySec = 10) {}

  update(f: ProgressFields): void {
    if (this.tty) {
      if (!this.bar || this.label !== f.label) {
        this.stop();
        this.bar = new SingleBar(
          { format: '{label} |{bar}| {value}/{total} {info} ETA {eta}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
          Presets.shades_classic,
        );
        this.bar.start(f.total, f.step, { label: f.label, info: f.info, eta: fmtEta(f.etaSec) });
        this.label = f.label;
      }
      this.bar.update(f.step, { info: f.info, eta: fmtEta(f.etaSec) });
      return;
    }
    const now = Date.now();
    if (now - this.lastLine >= this.lineEverySec * 1000 || f.step === f.total) {
      this.lastLine = now;
      process.stderr.write(`${f.label} ${f.step}/${f.total} ${f.info} ETA ${fmtEta(f.etaSec)}\n`);
    }
  }

  /** a line of its own, outside the bar */
  note(line: string): void {
    if (this.bar) this.stop();
    process.stderr.write(line + '\n');
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.label = '';
  }
}
