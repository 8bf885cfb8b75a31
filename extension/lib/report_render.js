// Renders the popup model into DOM nodes. Every string from a report is set with
// textContent (or as an attribute value), never parsed as HTML.
//
// doc: a Document (or the tests' fake with the same createElement/createTextNode).
// actions: {allowImages(domain), undoLink(original)} -> Promise

function el(doc, tag, attrs = {}, ...children) {
  const e = doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else if (k === "className") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.appendChild(c);
  return e;
}

function confidenceTag(doc, confidence) {
  return el(doc, "span", { className: `confidence confidence-${confidence}`, text: `${confidence} confidence` });
}

export function renderGroups(doc, groups) {
  const section = el(doc, "section", { className: "findings" });
  section.appendChild(el(doc, "h2", { text: "Remote content" }));
  if (!groups.length) {
    section.appendChild(el(doc, "p", { className: "empty", text: "No remote content in this message." }));
    return section;
  }
  for (const g of groups) {
    const details = el(doc, "details", { className: g.tracker ? "group tracker" : "group" });
    const summary = el(doc, "summary");
    summary.appendChild(el(doc, "span", { className: "kind", text: g.kind }));
    summary.appendChild(el(doc, "span", { className: "vendor", text: g.vendor || "unknown vendor" }));
    summary.appendChild(el(doc, "span", { className: "count", text: `×${g.items.length}` }));
    if (g.confidence) summary.appendChild(confidenceTag(doc, g.confidence));
    else summary.appendChild(el(doc, "span", { className: "not-tracker", text: "not a tracker (blocked)" }));
    if (g.identifiesYou) summary.appendChild(el(doc, "span", { className: "identifies", text: "identifies you" }));
    details.appendChild(summary);
    const ul = el(doc, "ul");
    for (const it of g.items) {
      const li = el(doc, "li");
      li.appendChild(el(doc, "code", { className: "url", text: it.url }));
      const meta = [it.action, it.tracker ? "tracker" : "not a tracker", `${it.confidence} confidence`];
      if (it.element) meta.push(it.attribute ? `<${it.element} ${it.attribute}>` : `<${it.element}>`);
      li.appendChild(el(doc, "div", { className: "meta", text: meta.join(" · ") }));
      if (it.reason) li.appendChild(el(doc, "div", { className: "reason", text: it.reason }));
      if (it.identifiesYou) li.appendChild(el(doc, "div", { className: "identifies", text: "carries your address" }));
      ul.appendChild(li);
    }
    details.appendChild(ul);
    section.appendChild(details);
  }
  return section;
}

export function renderLinks(doc, links, actions) {
  const section = el(doc, "section", { className: "links" });
  section.appendChild(el(doc, "h2", { text: "Links" }));
  if (!links.length) {
    section.appendChild(el(doc, "p", { className: "empty", text: "No tracked links." }));
    return section;
  }
  const ul = el(doc, "ul");
  for (const l of links) {
    const li = el(doc, "li", { className: `link status-${l.status}` });
    const head = el(doc, "div", { className: "head" });
    head.appendChild(el(doc, "span", { className: "status", text: l.label }));
    if (l.vendor) head.appendChild(el(doc, "span", { className: "vendor", text: l.vendor }));
    if (l.identifiesYou) head.appendChild(el(doc, "span", { className: "identifies", text: "identifies you" }));
    li.appendChild(head);
    li.appendChild(el(doc, "div", { className: "before" }, el(doc, "span", { text: "before: " }), el(doc, "code", { text: l.original })));
    if (l.opaque && l.resolved) {
      li.appendChild(
        el(doc, "div", { className: "after" }, el(doc, "span", { text: "after (resolved): " }), el(doc, "code", { text: l.resolved })),
      );
    } else if (l.opaque) {
      li.appendChild(
        el(doc, "div", {
          className: "after",
          text: "after: unknown (the destination is only on the tracker's server; right-click the link and choose “Resolve tracking link…”)",
        }),
      );
    } else if (l.final !== null) {
      li.appendChild(el(doc, "div", { className: "after" }, el(doc, "span", { text: "after: " }), el(doc, "code", { text: l.final })));
    }
    if (l.removed.length) {
      li.appendChild(el(doc, "div", { className: "removed", text: `removed: ${l.removed.join(", ")}` }));
    }
    if (l.canUndo) {
      const button = el(doc, "button", { type: "button", className: "undo", text: l.undone ? "undone" : "undo" });
      if (l.undone) button.setAttribute("disabled", "disabled");
      button.addEventListener("click", async () => {
        button.setAttribute("disabled", "disabled");
        try {
          await actions.undoLink(l.original);
          button.textContent = "undone";
        } catch (e) {
          button.removeAttribute("disabled");
          button.textContent = `undo failed: ${e && e.message ? e.message : e}`;
        }
      });
      li.appendChild(button);
    }
    ul.appendChild(li);
  }
  section.appendChild(ul);
  return section;
}

// Deceptive, lookalike and hidden links: the popup's first section (none: nothing).
const VERDICT_LABELS = { deceptive: "deceptive link", lookalike: "lookalike site", hidden: "destination hidden" };
export function renderDeceptive(doc, items) {
  const section = el(doc, "section", { className: "deceptive" });
  if (!items || !items.length) return section;
  section.appendChild(el(doc, "h2", { text: "Deceptive links" }));
  const ul = el(doc, "ul");
  for (const d of items) {
    const li = el(doc, "li", { className: `verdict verdict-${d.kind}` });
    li.appendChild(el(doc, "span", { className: "verdict-kind", text: `\u26a0 ${VERDICT_LABELS[d.kind] || d.kind}` }));
    if (d.evidence) li.appendChild(el(doc, "div", { className: "evidence", text: d.evidence }));
    li.appendChild(el(doc, "div", { className: "href" }, el(doc, "span", { text: "goes to: " }), el(doc, "code", { text: d.href })));
    ul.appendChild(li);
  }
  section.appendChild(ul);
  return section;
}

export function renderImageDomains(doc, domains, actions) {
  const section = el(doc, "section", { className: "images" });
  if (!domains.length) return section;
  section.appendChild(el(doc, "h2", { text: "Images" }));
  for (const d of domains) {
    const button = el(doc, "button", { type: "button", className: "allow", text: `show images from ${d}` });
    button.addEventListener("click", async () => {
      button.setAttribute("disabled", "disabled");
      try {
        await actions.allowImages(d);
        button.textContent = `images from ${d} allowed`;
      } catch (e) {
        button.removeAttribute("disabled");
        button.textContent = `failed: ${e && e.message ? e.message : e}`;
      }
    });
    section.appendChild(button);
  }
  return section;
}

export function renderReport(doc, model, actions) {
  const root = el(doc, "div", { className: "report" });
  const header = el(doc, "header");
  header.appendChild(el(doc, "span", { className: "badge", text: model.badge.text }));
  header.appendChild(el(doc, "p", { className: "status", text: model.status }));
  root.appendChild(header);
  root.appendChild(renderDeceptive(doc, model.deceptive));
  if (model.headers.length) {
    const s = el(doc, "section", { className: "headers" });
    s.appendChild(el(doc, "h2", { text: "Read receipts requested" }));
    const ul = el(doc, "ul");
    for (const h of model.headers) ul.appendChild(el(doc, "li", { text: h }));
    s.appendChild(ul);
    root.appendChild(s);
  }
  if (!model.plain) root.appendChild(renderGroups(doc, model.groups));
  root.appendChild(renderImageDomains(doc, model.imageDomains, actions));
  root.appendChild(renderLinks(doc, model.links, actions));
  if (model.timingMs !== null && model.timingMs !== undefined) {
    root.appendChild(el(doc, "p", { className: "timing", text: `sanitized in ${Math.round(model.timingMs)} ms` }));
  }
  return root;
}
