/** Small JSON client over real HTTP; every test talks to the server the way the app does. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = any>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; form?: FormData } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: RequestInit['body'];
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.rawBody !== undefined) {
    body = options.rawBody as RequestInit['body'];
  } else if (options.form) body = options.form;
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const type = response.headers.get('content-type') ?? '';
  const parsed = type.includes('application/json') ? await response.json() : Buffer.from(await response.arrayBuffer());
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export function xlsxForm(file: Buffer, name = 'customers.xlsx'): FormData {
  const form = new FormData();
  form.append('file', new Blob([file]), name);
  return form;
}
