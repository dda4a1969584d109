/**
 * A loopback stand-in for the GitHub REST API (node:http on 127.0.0.1, random port): the few endpoints
 * the action calls, with git-like state (commits, branches, blob shas) and every request recorded.
 * Not a test file itself (no .test.ts suffix); shared by the action tests.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  auth?: string;
}

interface Comment {
  id: number;
  issue: number;
  body: string;
  user: string;
}

type Tree = Map<string, string>;

export function blobSha(text: string): string {
  const buf = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly commits = new Map<string, Tree>();
  readonly branches = new Map<string, string>();
  /** Each commit's parents: [] for a root (orphan) commit. */
  readonly parents = new Map<string, string[]>();
  private readonly trees = new Map<string, Tree>();
  readonly comments: Comment[] = [];
  readonly issues: { number: number; title: string; body: string; user: string; state: 'open' | 'closed' }[] = [];
  prFiles = new Map<number, { filename: string; status: string }[]>();
  compare = new Map<string, string[]>();
  pulls = new Map<number, { headSha: string; headRepo: string | null; state?: string }>();
  /** Writes answer 403 "Resource not accessible by integration" (a read-only token). */
  readOnly = false;
  /** Contents and git writes answer 403 while comments work: a job with `contents: read, pull-requests: write`. */
  contentsReadOnly = false;
  /** A contents PUT to a branch that does not exist answers 404, as GitHub does (default: the branch is created). */
  strictBranches = false;
  /** Called before a contents PUT is applied: lets a test commit "another writer's" change first. */
  beforePut?: (path: string, branch: string) => void;
  /** Called before any request is answered: lets a test race a request ("another run created the branch"). */
  beforeRequest?: (r: RecordedRequest) => void;
  botLogin = 'github-actions[bot]';
  /**
   * What GET /user answers: 'integration' (403, as for GITHUB_TOKEN, which comments as github-actions[bot])
   * or 'user' (a personal token: {login: botLogin}).
   */
  tokenKind: 'integration' | 'user' = 'integration';
  /** Add a comment written by someone else (a user who can comment on the PR). */
  addComment(issue: number, body: string, user: string): number {
    const id = this.nextCommentId++;
    this.comments.push({ id, issue, body, user });
    return id;
  }
  /** Answer the next N requests with 502 (a flaky proxy), to exercise the retry plugin. */
  failNext = 0;
  /**
   * A hostile or broken API: called for each request before the normal handling; when it returns true it
   * has answered (or chosen never to answer) on `res` itself: raw bytes that are not JSON, a huge body, a
   * trickle, a hang, rate-limit headers.
   */
  intercept?: (r: RecordedRequest, res: http.ServerResponse) => boolean;
  private readonly hanging = new Set<http.ServerResponse>();
  /** Keeps a response open without answering (released when the server stops). */
  hang(res: http.ServerResponse): void {
    this.hanging.add(res);
  }
  private server?: http.Server;
  private nextCommentId = 1000;
  private commitCounter = 0;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Create a commit on `branch` (or detached) with files changed; returns the commit sha. */
  commit(branch: string | null, files: Record<string, string | null>, parent?: string): string {
    const from = parent ?? (branch ? this.branches.get(branch) : undefined);
    const tree: Tree = new Map(from ? this.commits.get(from) : undefined);
    for (const [p, text] of Object.entries(files)) {
      if (text === null) tree.delete(p);
      else tree.set(p, text);
    }
    const sha = createHash('sha1').update(`commit ${++this.commitCounter} ${JSON.stringify([...tree])}`).digest('hex');
    this.commits.set(sha, tree);
    this.parents.set(sha, from ? [from] : []);
    if (branch) this.branches.set(branch, sha);
    return sha;
  }

  /** Pin a known sha (e.g. the one in a webhook payload) to a tree. */
  commitAs(sha: string, files: Record<string, string>): void {
    this.commits.set(sha, new Map(Object.entries(files)));
  }

  fileAt(ref: string, path: string): string | undefined {
    const sha = this.branches.get(ref) ?? ref;
    return this.commits.get(sha)?.get(path);
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const text = Buffer.concat(chunks).toString('utf8');
        const rec: RecordedRequest = {
          method: req.method ?? 'GET',
          path: decodeURIComponent(url.pathname),
          query: Object.fromEntries(url.searchParams),
          body: text ? JSON.parse(text) : undefined,
          auth: req.headers.authorization,
        };
        this.requests.push(rec);
        if (this.intercept?.(rec, res)) return;
        let status = 200;
        let payload: unknown;
        try {
          if (this.failNext > 0) {
            this.failNext--;
            throw Object.assign(new Error('Bad Gateway'), { status: 502 });
          }
          this.beforeRequest?.(rec);
          [status, payload] = this.handle(rec);
        } catch (err) {
          [status, payload] = [(err as { status?: number }).status ?? 500, { message: (err as Error).message }];
        }
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(payload));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server?.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** One page of a list, as GitHub pages it (page, per_page; 30 a page by default). */
  private page<T>(r: RecordedRequest, list: T[]): T[] {
    const size = Number(r.query.per_page ?? 30);
    const page = Number(r.query.page ?? 1);
    return list.slice((page - 1) * size, page * size);
  }

  private handle(r: RecordedRequest): [number, unknown] {
    const p = r.path;
    let m: RegExpExecArray | null;
    const forbidden: [number, unknown] = [403, { message: 'Resource not accessible by integration' }];
    if (p === '/user' && r.method === 'GET') {
      return this.tokenKind === 'user' ? [200, { login: this.botLogin, type: 'User' }] : forbidden;
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/files$/.exec(p)) && r.method === 'GET') {
      const files = this.prFiles.get(Number(m[1])) ?? [];
      return [200, this.page(r, files.map((f, i) => ({ sha: String(i), filename: f.filename, status: f.status })))];
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/.exec(p)) && r.method === 'GET') {
      const pr = this.pulls.get(Number(m[1]));
      if (!pr) return [404, { message: 'Not Found' }];
      return [200, { number: Number(m[1]), state: pr.state ?? 'open', head: { sha: pr.headSha, repo: pr.headRepo ? { full_name: pr.headRepo } : null } }];
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/compare\/(.+)$/.exec(p)) && r.method === 'GET') {
      const files = this.compare.get(m[1]) ?? [];
      return [200, { files: files.map((f) => ({ filename: f, status: 'modified' })) }];
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/.exec(p))) {
      const path = m[1];
      if (r.method === 'GET') {
        const ref = r.query.ref ?? 'main';
        const text = this.fileAt(ref, path);
        if (text === undefined) return [404, { message: 'Not Found' }];
        return [200, { type: 'file', path, sha: blobSha(text), size: text.length, encoding: 'base64', content: Buffer.from(text).toString('base64') }];
      }
      if (r.method === 'PUT') {
        if (this.readOnly || this.contentsReadOnly) return forbidden;
        const branch = r.body.branch as string;
        if (this.strictBranches && !this.branches.has(branch)) return [404, { message: `Branch ${branch} not found` }];
        this.beforePut?.(path, branch);
        const current = this.fileAt(branch, path);
        const given = r.body.sha as string | undefined;
        if (current !== undefined && !given) return [422, { message: 'Invalid request.\n\n"sha" wasn\'t supplied.' }];
        if (current !== undefined && given !== blobSha(current)) return [409, { message: `${path} does not match ${given}` }];
        if (current === undefined && given) return [409, { message: `${path} does not match ${given}` }];
        const text = Buffer.from(r.body.content, 'base64').toString('utf8');
        const sha = this.commit(branch, { [path]: text });
        return [current === undefined ? 201 : 200, { content: { path, sha: blobSha(text) }, commit: { sha } }];
      }
    }
    // The git data API: a branch's head, and a branch created from a tree and a commit (an orphan when parents is []).
    if ((m = /^\/repos\/[^/]+\/[^/]+\/git\/ref\/heads\/(.+)$/.exec(p)) && r.method === 'GET') {
      const sha = this.branches.get(m[1]);
      return sha ? [200, { ref: `refs/heads/${m[1]}`, object: { type: 'commit', sha } }] : [404, { message: 'Not Found' }];
    }
    if (/^\/repos\/[^/]+\/[^/]+\/git\/(trees|commits|refs)$/.test(p) && r.method === 'POST' && this.contentsReadOnly) return forbidden;
    if (/^\/repos\/[^/]+\/[^/]+\/git\/trees$/.test(p) && r.method === 'POST') {
      if (this.readOnly) return forbidden;
      const base = r.body.base_tree ? this.trees.get(r.body.base_tree) : undefined;
      const tree: Tree = new Map(base);
      for (const e of r.body.tree as { path: string; content: string }[]) tree.set(e.path, e.content);
      const sha = createHash('sha1').update(`tree ${JSON.stringify([...tree])}`).digest('hex');
      this.trees.set(sha, tree);
      return [201, { sha }];
    }
    if (/^\/repos\/[^/]+\/[^/]+\/git\/commits$/.test(p) && r.method === 'POST') {
      if (this.readOnly) return forbidden;
      const tree = this.trees.get(r.body.tree);
      if (!tree) return [422, { message: 'Tree SHA does not exist' }];
      const sha = createHash('sha1').update(`commit ${++this.commitCounter} ${r.body.tree} ${JSON.stringify(r.body.parents)}`).digest('hex');
      this.commits.set(sha, new Map(tree));
      this.parents.set(sha, [...(r.body.parents as string[])]);
      return [201, { sha, tree: { sha: r.body.tree }, parents: (r.body.parents as string[]).map((x) => ({ sha: x })) }];
    }
    if (/^\/repos\/[^/]+\/[^/]+\/git\/refs$/.test(p) && r.method === 'POST') {
      if (this.readOnly) return forbidden;
      const ref = /^refs\/heads\/(.+)$/.exec(r.body.ref as string);
      if (!ref) return [422, { message: 'Reference name is invalid' }];
      if (this.branches.has(ref[1])) return [422, { message: 'Reference already exists' }];
      if (!this.commits.has(r.body.sha)) return [422, { message: 'Object does not exist' }];
      this.branches.set(ref[1], r.body.sha);
      return [201, { ref: r.body.ref, object: { type: 'commit', sha: r.body.sha } }];
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(p))) {
      const issue = Number(m[1]);
      if (r.method === 'GET') {
        const list = this.comments.filter((c) => c.issue === issue).map((c) => ({ id: c.id, body: c.body, user: { login: c.user } }));
        return [200, this.page(r, list)];
      }
      if (r.method === 'POST') {
        if (this.readOnly) return forbidden;
        const c = { id: this.nextCommentId++, issue, body: r.body.body as string, user: this.botLogin };
        this.comments.push(c);
        return [201, { id: c.id, body: c.body, user: { login: c.user } }];
      }
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(p)) && r.method === 'PATCH') {
      if (this.readOnly) return forbidden;
      const c = this.comments.find((x) => x.id === Number(m![1]));
      if (!c) return [404, { message: 'Not Found' }];
      c.body = r.body.body;
      return [200, { id: c.id, body: c.body, user: { login: c.user } }];
    }
    if (/^\/repos\/[^/]+\/[^/]+\/issues$/.test(p)) {
      if (r.method === 'GET') {
        const state = r.query.state ?? 'open';
        const list = this.issues.filter((i) => state === 'all' || i.state === state).map((i) => ({ number: i.number, title: i.title, body: i.body, state: i.state, user: { login: i.user } }));
        return [200, this.page(r, list)];
      }
      if (r.method === 'POST') {
        if (this.readOnly) return forbidden;
        const issue = { number: this.nextCommentId++, title: r.body.title as string, body: (r.body.body as string) ?? '', user: this.botLogin, state: 'open' as const };
        this.issues.push(issue);
        return [201, { number: issue.number, title: issue.title, body: issue.body, state: issue.state, user: { login: issue.user } }];
      }
    }
    if ((m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/.exec(p)) && r.method === 'PATCH') {
      if (this.readOnly) return forbidden;
      const issue = this.issues.find((x) => x.number === Number(m![1]));
      if (!issue) return [404, { message: 'Not Found' }];
      if (typeof r.body.title === 'string') issue.title = r.body.title;
      if (typeof r.body.body === 'string') issue.body = r.body.body;
      if (r.body.state === 'open' || r.body.state === 'closed') issue.state = r.body.state;
      return [200, { number: issue.number, title: issue.title, body: issue.body, state: issue.state, user: { login: issue.user } }];
    }
    return [404, { message: `fake GitHub: no route for ${r.method} ${p}` }];
  }
}
