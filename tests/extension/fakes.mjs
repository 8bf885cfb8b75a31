// Hand-made fakes for the add-on's unit tests: timers with a manual clock, a
// native port, a `messenger` object and a minimal DOM. No npm dependencies.

export class FakeClock {
  constructor() {
    this.t = 0;
    this.timers = new Map();
    this.seq = 0;
    this.setTimeout = (f, ms) => {
      const id = ++this.seq;
      this.timers.set(id, { at: this.t + ms, f });
      return id;
    };
    this.clearTimeout = (id) => this.timers.delete(id);
    this.now = () => this.t;
  }

  // Advance the clock, firing due timers in time order.
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      let next = null;
      for (const [id, tm] of this.timers) if (tm.at <= end && (!next || tm.at < next[1].at)) next = [id, tm];
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].f();
    }
    this.t = end;
  }

  get pending() {
    return this.timers.size;
  }
}

class FakeEvent {
  constructor() {
    this.listeners = [];
  }
  addListener(f) {
    this.listeners.push(f);
  }
  fire(...args) {
    return this.listeners.map((f) => f(...args));
  }
}

export class FakePort {
  constructor() {
    this.sent = [];
    this.onMessage = new FakeEvent();
    this.onDisconnect = new FakeEvent();
    this.error = null;
    this.closed = false;
  }
  postMessage(m) {
    if (this.closed) throw new Error("Attempt to postMessage on disconnected port");
    this.sent.push(JSON.parse(JSON.stringify(m)));
  }
  disconnect() {
    this.closed = true;
  }
  // helpers for tests
  reply(frame) {
    this.onMessage.fire(JSON.parse(JSON.stringify(frame)), this);
  }
  die(message = null) {
    this.closed = true;
    this.error = message ? { message } : null;
    this.onDisconnect.fire(this);
  }
  get last() {
    return this.sent[this.sent.length - 1];
  }
}

// A connect() that hands out a new FakePort per call and remembers them.
export function portFactory() {
  const ports = [];
  const connect = () => {
    const p = new FakePort();
    ports.push(p);
    return p;
  };
  return { connect, ports };
}

// Let pending promise callbacks run.
export async function flush(n = 5) {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

export function fakeMessenger({ displayed = null, registered = [], registerThrowsOnce = false } = {}) {
  const calls = [];
  const log = (name) => (...args) => {
    calls.push([name, ...JSON.parse(JSON.stringify(args.filter((a) => typeof a !== "function")))]);
    return Promise.resolve();
  };
  const scripts = [...registered];
  let throwOnce = registerThrowsOnce;
  const m = {
    calls,
    scripts,
    tabMessages: [],
    tabAnswer: { ok: true, count: 1 },
    windowsCreated: [],
    runtime: {
      id: "trackless@trackless.email",
      lastError: null,
      getURL: (p) => `moz-extension://uuid/${p}`,
      onMessage: new FakeEvent(),
    },
    injected: [],
    openTabs: [],
    tabs: {
      query: async () => m.openTabs.map((t) => ({ ...t })),
      onRemoved: new FakeEvent(),
      sendMessage: async (tabId, msg) => {
        m.tabMessages.push([tabId, msg]);
        return m.tabAnswer;
      },
    },
    menus: {
      created: [],
      create(props, cb) {
        m.menus.created.push(props);
        if (cb) cb();
      },
      onClicked: new FakeEvent(),
    },
    windows: {
      create: async (opts) => {
        m.windowsCreated.push(opts);
        return { id: 1 };
      },
    },
    messageDisplay: {
      getDisplayedMessages: async (tabId) => (tabId === 7 ? { messages: [] } : displayed),
    },
    // messages.getFull(id).headers: set m.fullHeaders (lower-case name -> [values]),
    // or m.fullThrows to make it fail.
    fullHeaders: {},
    fullThrows: false,
    messages: {
      getFull: async (id) => {
        m.calls.push(["getFull", id]);
        if (m.fullThrows) throw new Error("message gone");
        if (m.fullHangs) await new Promise(() => {});
        return { headers: m.fullHeaders, parts: [] };
      },
    },
    messageDisplayAction: {
      setBadgeText: log("setBadgeText"),
      setBadgeBackgroundColor: log("setBadgeBackgroundColor"),
      setTitle: log("setTitle"),
    },
    scripting: {
      insertCSS: async ({ target, files }) => {
        m.injected.push(["css", target.tabId, files]);
      },
      executeScript: async ({ target, files }) => {
        if (target.tabId === 99) throw new Error("Missing host permission for the tab");
        m.injected.push(["js", target.tabId, files]);
      },
      messageDisplay: {
        getRegisteredScripts: async () => scripts.map((s) => ({ ...s })),
        unregisterScripts: async ({ ids }) => {
          for (const id of ids) {
            const i = scripts.findIndex((s) => s.id === id);
            if (i < 0) throw new Error(`The messageDisplayScript with id "${id}" does not exist.`);
            scripts.splice(i, 1);
          }
        },
        registerScripts: async (list) => {
          if (throwOnce) {
            throwOnce = false;
            scripts.push({ id: list[0].id });
            throw new Error(`A messageDisplayScript with id "${list[0].id}" is already registered.`);
          }
          for (const s of list) {
            if (scripts.some((x) => x.id === s.id)) throw new Error(`id "${s.id}" already registered`);
            scripts.push({ ...s });
          }
        },
      },
    },
  };
  return m;
}

// ---- a minimal DOM: enough for the popup renderer, and strict about HTML ----

const VOID = new Set(["br", "img", "input", "meta", "link", "hr"]);

function escapeText(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function escapeAttr(s) {
  return escapeText(s).replace(/"/g, "&quot;");
}

export class FakeText {
  constructor(text) {
    this.nodeType = 3;
    this.data = String(text);
    this.parentNode = null;
  }
  get textContent() {
    return this.data;
  }
  serialize() {
    return escapeText(this.data);
  }
}

export class FakeElement {
  constructor(doc, tag) {
    this.ownerDocument = doc;
    this.nodeType = 1;
    this.tagName = tag.toUpperCase();
    this.localName = tag.toLowerCase();
    this.attributes = new Map();
    this.childNodes = [];
    this.parentNode = null;
    this.listeners = {};
  }
  set innerHTML(_) {
    throw new Error("innerHTML is forbidden in the add-on's pages");
  }
  get innerHTML() {
    return this.childNodes.map((c) => c.serialize()).join("");
  }
  insertAdjacentHTML() {
    throw new Error("insertAdjacentHTML is forbidden");
  }
  set outerHTML(_) {
    throw new Error("outerHTML is forbidden");
  }
  get className() {
    return this.getAttribute("class") || "";
  }
  set className(v) {
    this.setAttribute("class", v);
  }
  set type(v) {
    this.setAttribute("type", v);
  }
  get type() {
    return this.getAttribute("type");
  }
  setAttribute(k, v) {
    if (/^on/i.test(k)) throw new Error(`event handler attribute ${k} set`);
    this.attributes.set(k, String(v));
  }
  getAttribute(k) {
    return this.attributes.has(k) ? this.attributes.get(k) : null;
  }
  hasAttribute(k) {
    return this.attributes.has(k);
  }
  removeAttribute(k) {
    this.attributes.delete(k);
  }
  appendChild(c) {
    if (c.parentNode) c.parentNode.childNodes.splice(c.parentNode.childNodes.indexOf(c), 1);
    c.parentNode = this;
    this.childNodes.push(c);
    return c;
  }
  append(...cs) {
    for (const c of cs) this.appendChild(typeof c === "string" ? new FakeText(c) : c);
  }
  replaceChildren(...cs) {
    this.childNodes = [];
    this.append(...cs);
  }
  get textContent() {
    return this.childNodes.map((c) => c.textContent).join("");
  }
  set textContent(v) {
    this.childNodes = [];
    if (v !== "") this.appendChild(new FakeText(v));
  }
  addEventListener(type, f) {
    (this.listeners[type] ||= []).push(f);
  }
  async dispatch(type) {
    await Promise.all((this.listeners[type] || []).map((f) => f({ type, target: this })));
  }
  get children() {
    return this.childNodes.filter((c) => c.nodeType === 1);
  }
  // all descendant elements, document order
  all() {
    const out = [];
    const walk = (n) => {
      for (const c of n.childNodes)
        if (c.nodeType === 1) {
          out.push(c);
          walk(c);
        }
    };
    walk(this);
    return out;
  }
  byClass(name) {
    return this.all().filter((e) => e.className.split(/\s+/).includes(name));
  }
  byTag(tag) {
    return this.all().filter((e) => e.localName === tag);
  }
  serialize() {
    const attrs = [...this.attributes].map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join("");
    if (VOID.has(this.localName)) return `<${this.localName}${attrs}>`;
    return `<${this.localName}${attrs}>${this.innerHTML}</${this.localName}>`;
  }
}

export class FakeDocument {
  constructor() {
    this.created = [];
  }
  createElement(tag) {
    if (!/^[a-z][a-z0-9]*$/.test(tag)) throw new Error(`bad tag ${tag}`);
    const e = new FakeElement(this, tag);
    this.created.push(e);
    return e;
  }
  createTextNode(t) {
    return new FakeText(t);
  }
}
