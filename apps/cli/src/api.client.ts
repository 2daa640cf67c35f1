import { CliError, EXIT, type CliIo } from './cli.io.js';

export interface ApiTarget {
  url: string;
  token: string;
}

export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
} as const;

/** Where and as whom online commands talk to the API: flags first, then CLOISON_URL / CLOISON_TOKEN. */
export function apiTarget(values: { url?: string | boolean; token?: string | boolean }, io: CliIo): ApiTarget {
  const url = (typeof values.url === 'string' ? values.url : undefined) ?? io.env.CLOISON_URL;
  const token = (typeof values.token === 'string' ? values.token : undefined) ?? io.env.CLOISON_TOKEN;
  if (!url) throw new CliError(EXIT.usage, 'no API address: pass --url or set CLOISON_URL');
  if (!token) throw new CliError(EXIT.usage, 'no token: pass --token or set CLOISON_TOKEN');
  return { url: url.replace(/\/+$/, ''), token };
}

function exitCodeOf(status: number): (typeof EXIT)[keyof typeof EXIT] {
  if (status === 401 || status === 403) return EXIT.denied;
  if (status >= 400 && status < 500) return EXIT.rejected;
  return EXIT.unavailable;
}

/** A GET whose body is streamed (exports); non-2xx answers become a CliError. */
export async function openApiStream(target: ApiTarget, path: string): Promise<ReadableStream<Uint8Array>> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, { headers: { authorization: `Bearer ${target.token}` } });
  } catch (err) {
    const c = (err as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
    throw new CliError(EXIT.unavailable, `cannot reach ${target.url} (${c?.code ?? c?.errors?.[0]?.code ?? (err as Error).message})`);
  }
  if (!res.ok || !res.body) {
    const text = await res.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: keep the text
    }
    throw new CliError(exitCodeOf(res.status), `GET ${path} answered ${res.status}: ${message}`);
  }
  return res.body as ReadableStream<Uint8Array>;
}

/** One JSON request; non-2xx answers become a CliError carrying the API's message. */
export async function callApi<T>(target: ApiTarget, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${target.token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const c = (err as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
    const cause = c?.code ?? c?.errors?.[0]?.code;
    throw new CliError(EXIT.unavailable, `cannot reach ${target.url} (${cause ?? (err as Error).message})`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const e = parsed as { message?: string; details?: { pointer: string; message: string }[] } | undefined;
    const details = (e?.details ?? []).map((d) => `\n  ${d.pointer}: ${d.message}`).join('');
    throw new CliError(exitCodeOf(res.status), `${method} ${path} answered ${res.status}: ${e?.message ?? text}${details}`);
  }
  return parsed as T;
}
