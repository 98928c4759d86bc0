/**
 * Streams the members of an archive file, decompressing on the fly. Restore reads an archive too big for
 * memory twice (validate, then write), so this is the single place that maps the many ways streaming can
 * fail — missing file, bad gzip, truncated or garbled tar — to one clear {@link RestoreError}.
 */
import { createReadStream } from 'node:fs';
import { extract, type Header } from 'tar-stream';
import { createDecompressor, READ_HIGH_WATER_MARK } from './codec.js';
import { RestoreError, messageOf } from './errors.js';

export interface ArchiveMember {
  /** The raw tar header (name, type, size, linkname, mode) as decoded, pax records applied. */
  readonly header: Header;
  /** The member's bytes; must be consumed to the end before the next member is requested. */
  readonly body: AsyncIterable<Buffer>;
}

export async function* readArchive(archiveFile: string): AsyncGenerator<ArchiveMember, void, undefined> {
  const decompress = createDecompressor(archiveFile);
  const source = createReadStream(archiveFile, { highWaterMark: READ_HIGH_WATER_MARK });
  const members = extract();
  let failure: RestoreError | null = null;
  const fail = (err: RestoreError): void => {
    failure ??= err;
    members.destroy(err);
  };
  source.on('error', (err) => fail(new RestoreError(`cannot read the archive: ${err.message}`)));
  decompress.on('error', (err) => fail(corrupt(err)));
  source.pipe(decompress).pipe(members);

  const explain = (err: unknown): RestoreError => failure ?? corrupt(err);
  const entries = members[Symbol.asyncIterator]();
  try {
    for (;;) {
      let step: Awaited<ReturnType<typeof entries.next>>;
      try {
        step = await entries.next();
      } catch (err) {
        throw explain(err);
      }
      if (step.done === true) return;
      const entry = step.value;
      yield { header: entry.header, body: explained(entry as AsyncIterable<Buffer>, explain) };
    }
  } finally {
    source.destroy();
    decompress.destroy();
    members.destroy();
  }
}

async function* explained(body: AsyncIterable<Buffer>, explain: (err: unknown) => RestoreError): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (err) {
    throw explain(err);
  }
}

/** Consumes a body that is not needed. */
export async function drain(body: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of body) {
    // discard
  }
}

/** The error a reading failure becomes: a {@link RestoreError} as it is, anything else (zlib, tar-stream) as corruption. */
export function corrupt(err: unknown): RestoreError {
  if (err instanceof RestoreError) return err;
  return new RestoreError(`corrupt or truncated archive: ${messageOf(err)}`);
}
