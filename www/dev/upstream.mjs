#!/usr/bin/env node
// A small example REST API for `scripts/serve.sh --edge`: the origin that the
// edge worker forwards admitted calls to. In-memory "forms" on 127.0.0.1:
//
//   GET    /api/v1/forms        list          POST   /api/v1/forms        create (JSON body optional)
//   GET    /api/v1/forms/{id}   one           PUT|PATCH /api/v1/forms/{id} update
//   DELETE /api/v1/forms/{id}   delete        anything else                404
//
// Every answer says which key called (the worker's X-Api-Key-Id header). It
// trusts those headers only from the worker: when UPSTREAM_AUTH is set, a
// request must carry it as X-Edge-Auth.
import { createServer } from "node:http";
import { timingSafeEqual } from "node:crypto";

const MAX_BODY = 16 * 1024;

function same(a, b) {
  const x = Buffer.from(String(a ?? ""));
  const y = Buffer.from(String(b ?? ""));
  return x.length === y.length && timingSafeEqual(x, y);
}

/** @param {{ edgeAuth?: string }} options */
export function createUpstream({ edgeAuth } = {}) {
  const forms = new Map();
  let next = 1;
  for (const title of ["Site inspection", "Safety checklist", "Work order"]) {
    const id = String(next++);
    forms.set(id, { id, title, createdAt: new Date(0).toISOString() });
  }

  return createServer((req, res) => {
    const reply = (status, body) => {
      const text = JSON.stringify(body, null, 2);
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : text);
    };
    if (edgeAuth && !same(req.headers["x-edge-auth"], edgeAuth)) {
      return reply(403, { error: { code: "NOT_FROM_EDGE", message: "Only the edge worker may call this API." } });
    }
    const caller = {
      keyId: req.headers["x-api-key-id"] ?? null,
      accountId: req.headers["x-api-account-id"] ?? null,
      access: req.headers["x-api-key-access"] ?? null,
    };
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => {
      const url = new URL(req.url, "http://upstream");
      const m = /^\/api\/v1\/forms(?:\/([^/]+))?\/?$/.exec(url.pathname);
      if (!m) return reply(404, { error: { code: "NOT_FOUND", message: "No such resource." }, caller });
      if (size > MAX_BODY) return reply(413, { error: { code: "TOO_LARGE", message: "The body is too large." } });
      let input = {};
      try {
        const text = Buffer.concat(chunks).toString("utf8");
        input = text ? JSON.parse(text) : {};
      } catch {
        return reply(400, { error: { code: "INVALID_JSON", message: "Send a JSON body." } });
      }
      const id = m[1];
      const method = req.method;
      if (id === undefined) {
        if (method === "GET" || method === "HEAD") return reply(200, { data: [...forms.values()], caller });
        if (method === "OPTIONS") return reply(200, { methods: ["GET", "POST"], caller });
        if (method === "POST") {
          const form = { id: String(next++), title: String(input.title ?? `Form ${next - 1}`), createdAt: new Date().toISOString() };
          forms.set(form.id, form);
          return reply(201, { data: form, caller });
        }
        return reply(405, { error: { code: "METHOD_NOT_ALLOWED", message: "Use GET or POST." } });
      }
      const form = forms.get(id);
      if (!form) return reply(404, { error: { code: "NOT_FOUND", message: "No such form." }, caller });
      if (method === "GET" || method === "HEAD") return reply(200, { data: form, caller });
      if (method === "PUT" || method === "PATCH") {
        if (input.title !== undefined) form.title = String(input.title);
        return reply(200, { data: form, caller });
      }
      if (method === "DELETE") {
        forms.delete(id);
        return reply(200, { data: { id, deleted: true }, caller });
      }
      return reply(405, { error: { code: "METHOD_NOT_ALLOWED", message: "Use GET, PUT, PATCH or DELETE." } });
    });
  });
}
