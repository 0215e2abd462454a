/**
 * Finds telegrams in a byte stream (serial port, TCP socket): from a '/' to the '!' and its
 * 4 CRC hex digits. A telegram cut short (a dongle restarting, a damaged '!') is handed on
 * as the fragment it is, from its '/' to the next telegram's, so the parser rejects it and
 * the caller counts it. Bytes with no '/' (line noise, the tail of a telegram the reader
 * joined halfway) are dropped. The buffer is bounded, so a stream that never ends a
 * telegram cannot grow memory.
 */
const MAX_BUFFER = 16 * 1024;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

export class TelegramSplitter {
  private buffer = '';
  /** Characters dropped because they were not part of a complete telegram. */
  discarded = 0;

  /** Adds a chunk (decoded as latin1: one character per byte) and returns the telegrams it completed. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const out: string[] = [];
    let searchFrom = 0;
    for (;;) {
      const bang = this.buffer.indexOf('!', searchFrom);
      if (bang < 0 || bang + 5 > this.buffer.length) break;
      let complete = true;
      for (let i = 1; i <= 4; i++) complete &&= isHex(this.buffer.charCodeAt(bang + i));
      // A '!' not followed by 4 hex digits cannot end a telegram: look further.
      if (!complete) {
        searchFrom = bang + 1;
        continue;
      }
      const start = this.buffer.lastIndexOf('/', bang);
      this.drop(this.buffer.slice(0, start < 0 ? bang + 5 : start), out);
      if (start >= 0) out.push(`${this.buffer.slice(start, bang + 5)}\r\n`);
      this.buffer = this.buffer.slice(bang + 5);
      searchFrom = 0;
    }
    if (this.buffer.length > MAX_BUFFER) {
      const restart = this.buffer.lastIndexOf('/');
      const keep =
        restart > 0 && this.buffer.length - restart <= MAX_BUFFER ? restart : this.buffer.length;
      this.drop(this.buffer.slice(0, keep), out);
      this.buffer = this.buffer.slice(keep);
    }
    return out;
  }

  /** Text that holds no complete telegram: its '/'-started pieces go out as fragments. */
  private drop(text: string, out: string[]): void {
    let from = text.indexOf('/');
    this.discarded += from < 0 ? text.length : from;
    while (from >= 0) {
      const next = text.indexOf('/', from + 1);
      out.push(text.slice(from, next < 0 ? text.length : next));
      from = next;
    }
  }
}
