// A mobile client's main calls, typed from the served schema (tests/api/generated_clients.py
// runs openapi-typescript on /api/v1/schema/ and `tsc --noEmit` over this file). A renamed
// path, field or enum value in the schema makes this file fail to compile.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Task = components["schemas"]["Task"];
type Flag = components["schemas"]["FlagEnum"];
type Kind = components["schemas"]["NotificationKindEnum"];

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:8000" });

export async function login(username: string, password: string): Promise<string> {
  const { data, error } = await api.POST("/api/v1/auth/token/", {
    body: { username, password },
  });
  if (error) throw new Error(error.errors[0].detail);
  const refreshed = await api.POST("/api/v1/auth/token/refresh/", {
    body: { refresh: data.refresh },
  });
  return refreshed.data?.access ?? data.access;
}

export async function leadDay(token: string, photo: Blob): Promise<Kind[]> {
  const headers = { Authorization: `Bearer ${token}` };
  const red: Flag = "red";
  const list = await api.GET("/api/v1/tasks/", {
    headers,
    params: { query: { flag: red, status: "in_progress", page_size: 200 } },
  });
  const tasks: Task[] = [];
  for (const row of list.data?.results ?? []) {
    if ("deleted" in row) continue; // a tombstone: drop it from the cache
    tasks.push(row);
  }
  const id = tasks[0].id;
  const detail = await api.GET("/api/v1/tasks/{id}/", {
    headers,
    params: { path: { id } },
  });
  const title: string | undefined = detail.data?.title;
  // the task screen in one call: milestones, the latest report's files, open notices
  const milestoneDates: string[] = (detail.data?.milestones ?? []).map((m) => m.due_date);
  const thumbnails: (string | null)[] = (detail.data?.latest_report?.attachment_files ?? []).map(
    (file) => file.thumbnail_url,
  );
  const noticeCount: number = detail.data?.open_notices.length ?? milestoneDates.length;
  const work = await api.GET("/api/v1/me/work/", { headers, params: { query: { limit: 10 } } });
  const owed: number = (work.data?.reports_owed.count ?? 0) + noticeCount + thumbnails.length;
  const firstOverdue: string | undefined = work.data?.overdue.items[0]?.code;
  const etag = detail.response.headers.get("ETag") ?? "";

  const upload = await api.POST("/api/v1/tasks/{id}/attachments/", {
    headers,
    params: { path: { id } },
    body: { file: "photo.jpg" },
    bodySerializer: () => {
      const form = new FormData();
      form.append("file", photo, "photo.jpg");
      return form;
    },
  });
  const attachmentId = upload.data?.id ?? 0;
  await api.POST("/api/v1/tasks/{id}/progress-reports/", {
    headers: { ...headers, "Idempotency-Key": `report-${id}-${title}` },
    params: { path: { id } },
    body: { percent: 100, narrative: "已完工", attachments: [attachmentId] },
  });
  await api.POST("/api/v1/tasks/{id}/transitions/", {
    headers: { ...headers, "If-Match": etag },
    params: { path: { id } },
    body: { action: "submit" },
  });
  const since = list.response.headers.get("X-Server-Time") ?? undefined;
  await api.GET("/api/v1/tasks/", { headers, params: { query: { updated_since: since } } });

  const inbox = await api.GET("/api/v1/notifications/", {
    headers,
    params: { query: { unread: true } },
  });
  const kinds: Kind[] = [];
  for (const note of inbox.data?.results ?? []) {
    if ("deleted" in note) continue;
    kinds.push(note.kind);
    await api.POST("/api/v1/notifications/{id}/read/", { headers, params: { path: { id: note.id } } });
  }
  const badge = await api.GET("/api/v1/notifications/unread-count/", { headers });
  const unread: number = badge.data?.unread ?? 0;
  return unread === 0 || owed > 0 || firstOverdue ? kinds : kinds;
}

export async function supervisorDay(token: string): Promise<number> {
  const headers = { Authorization: `Bearer ${token}` };
  const late = await api.GET("/api/v1/supervision/overdue/", { headers });
  const first = late.data?.results[0];
  if (!first) return 0;
  await api.POST("/api/v1/tasks/{id}/urge/", {
    headers,
    params: { path: { id: first.id } },
    body: { comment: "请本周报送", notice: true },
  });
  await api.POST("/api/v1/tasks/{id}/transitions/", {
    headers,
    params: { path: { id: first.id } },
    body: { action: "return", comment: "缺少验收材料" },
  });
  return first.id;
}
