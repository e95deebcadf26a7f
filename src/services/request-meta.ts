/** Who is asking, for security logs and session records: read from the request in http/, passed down as plain data. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}
