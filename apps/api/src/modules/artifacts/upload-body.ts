import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import parser from 'stream-json/parser.js';
import { ApiError } from '../../common/api-error.js';
import { Base64Decoder, InvalidBase64Error } from './base64-decoder.js';

/** An upload as read off the wire: its other fields, and its bytes already decoded and hashed. */
export interface UploadBody {
  /** The fields other than `content_base64`, as sent (the contract schema checks them next). */
  fields: Record<string, unknown>;
  /** The decoded bytes in pieces of at most `chunkBytes` (every piece but the last exactly that). */
  chunks: Buffer[];
  size: number;
  /** Lower-case hex SHA-256 of the decoded bytes, computed as they arrived. */
  sha256: string;
}

export interface UploadBodyLimits {
  /** Largest decoded size: past it, 413 PAYLOAD_TOO_LARGE as soon as it is passed. */
  maxBytes: number;
  /** Largest body on the wire (the base64 of maxBytes and room for the other fields). */
  maxBodyBytes: number;
  chunkBytes: number;
}

const CONTENT = 'content_base64';
/** Fields kept for the schema, and how many characters of each: past the schema's limits, so they still fail it. */
const FIELDS = new Set(['org_id', 'path', 'content_type', 'project_id']);
const FIELD_CHARS = 4096;

/**
 * Reads `{org_id, path, content_base64, content_type?, project_id?}` from a request body as it
 * streams: the JSON is tokenized piece by piece (stream-json), `content_base64` is decoded
 * group by group and hashed as it goes, so the request's text is never held whole; only the
 * decoded bytes are kept, once, in fixed-size pieces (the Postgres store writes them as they
 * are). Any order of fields works, since nothing is decided before the body has ended.
 */
export async function readUploadBody(body: Readable, limits: UploadBodyLimits): Promise<UploadBody> {
  const reader = new UploadReader(limits);
  let received = 0;
  const counter = new Transform({
    transform(piece: Buffer, _encoding, done) {
      received += piece.length;
      if (received > limits.maxBodyBytes) return done(new ApiError('PAYLOAD_TOO_LARGE'));
      done(null, piece);
    },
  });
  const tokens = parser.asStream({ packKeys: true, streamKeys: false, packStrings: false, packNumbers: true, streamNumbers: false });
  const consume = new Transform({
    objectMode: true,
    transform(token: Token, _encoding, done) {
      try {
        reader.token(token);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  try {
    await pipeline(body, counter, tokens, consume);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof InvalidBase64Error) throw new ApiError('INVALID_REQUEST', { message: `${CONTENT} is not valid base64` });
    // The tokenizer's own errors: the body is not JSON.
    throw new ApiError('INVALID_REQUEST', { message: 'Body is not valid JSON' });
  }
  return reader.result();
}

type Token = parser.Token;
type Mode = { kind: 'skip' } | { kind: 'field'; key: string; text: string } | { kind: 'content' };

class UploadReader {
  private depth = 0;
  private key: string | null = null;
  private mode: Mode = { kind: 'skip' };
  private readonly fields: Record<string, unknown> = {};
  private decoder: Base64Decoder | null = null;
  private readonly hash = createHash('sha256');
  private readonly chunks: Buffer[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private size = 0;
  private seenContent = false;
  private ended = false;

  constructor(private readonly limits: UploadBodyLimits) {}

  token(token: Token): void {
    if (this.ended) throw new ApiError('INVALID_REQUEST', { message: 'Body is not one JSON object' });
    if (this.depth === 0) {
      if (token.name !== 'startObject') throw new ApiError('INVALID_REQUEST', { message: 'Body must be a JSON object' });
      this.depth = 1;
      return;
    }
    if (this.depth > 1) return this.nested(token);
    switch (token.name) {
      case 'keyValue':
        this.key = token.value;
        return;
      case 'endObject':
        this.depth = 0;
        this.ended = true;
        return;
      case 'startString':
        return this.startString();
      case 'stringChunk':
        return this.stringChunk(token.value);
      case 'endString':
        return this.endString();
      case 'startObject':
      case 'startArray':
        // A nested value: its field gets a placeholder of the wrong type, the schema says so.
        this.setField(token.name === 'startObject' ? {} : []);
        this.depth = 2;
        return;
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        return this.setField(token.value);
      case 'numberValue':
        return this.setField(Number(token.value));
      default:
        return;
    }
  }

  result(): UploadBody {
    if (!this.ended) throw new ApiError('INVALID_REQUEST', { message: 'Body must be a JSON object' });
    if (!this.seenContent) throw new ApiError('INVALID_REQUEST', { message: `${CONTENT} is required` });
    this.flush(true);
    return { fields: this.fields, chunks: this.chunks, size: this.size, sha256: this.hash.digest('hex') };
  }

  private nested(token: Token): void {
    if (token.name === 'startObject' || token.name === 'startArray') this.depth++;
    else if (token.name === 'endObject' || token.name === 'endArray') this.depth--;
  }

  private setField(value: unknown): void {
    if (this.key === CONTENT) throw new ApiError('INVALID_REQUEST', { message: `${CONTENT} must be a string` });
    if (this.key !== null && FIELDS.has(this.key)) this.fields[this.key] = value;
  }

  private startString(): void {
    if (this.key === CONTENT) {
      if (this.seenContent) throw new ApiError('INVALID_REQUEST', { message: `${CONTENT} given twice` });
      this.seenContent = true;
      this.decoder = new Base64Decoder();
      this.mode = { kind: 'content' };
    } else if (this.key !== null && FIELDS.has(this.key)) {
      this.mode = { kind: 'field', key: this.key, text: '' };
    } else {
      this.mode = { kind: 'skip' };
    }
  }

  private stringChunk(text: string): void {
    const mode = this.mode;
    if (mode.kind === 'content') this.bytes(this.decoder!.push(text));
    else if (mode.kind === 'field' && mode.text.length <= FIELD_CHARS) mode.text += text.slice(0, FIELD_CHARS + 1 - mode.text.length);
  }

  private endString(): void {
    const mode = this.mode;
    if (mode.kind === 'content') this.bytes(this.decoder!.end());
    else if (mode.kind === 'field') this.fields[mode.key] = mode.text;
    this.mode = { kind: 'skip' };
  }

  private bytes(piece: Buffer | null): void {
    if (!piece || piece.length === 0) return;
    this.size += piece.length;
    if (this.size > this.limits.maxBytes) throw new ApiError('PAYLOAD_TOO_LARGE');
    this.hash.update(piece);
    this.pending.push(piece);
    this.pendingBytes += piece.length;
    this.flush(false);
  }

  /** Moves whole chunks (and at the end, the rest) from the pending pieces into `chunks`. */
  private flush(all: boolean): void {
    const size = this.limits.chunkBytes;
    while (this.pendingBytes >= size || (all && this.pendingBytes > 0)) {
      const joined = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      const take = Math.min(size, joined.length);
      this.chunks.push(joined.subarray(0, take));
      // A view, not a copy: what is left of the joined buffer waits for the next pieces.
      const rest = joined.subarray(take);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
  }
}
