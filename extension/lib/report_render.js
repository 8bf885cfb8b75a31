// Renders the popup model into DOM nodes. Every string from a report is set with
// textContent (or as an attribute value), never parsed as HTML; every word of
// the add-on's own comes from the locale's messages.
//
// doc: a Document (or the tests' fake with the same createElement/createTextNode).
// actions: {allowImages(domain), blockImages(domain), undoLink(original)} -> Promise

import { t } from "./i18n.js";

const SEP = " · ";

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

// Spans joined by " · " text, so that the words never run together.
function joined(doc, parent, spans) {
  spans.filter(Boolean).forEach((s, i) => {
    if (i) parent.appendChild(doc.createTextNode(SEP));
    parent.appendChild(s);
  });
  return parent;
}

function labelled(doc, className, label, value) {
  return el(doc, "div", { className }, el(doc, "span", { className: "label", text: label }), el(doc, "code", { text: value }));
}

export function renderGroups(doc, groups) {
  const section = el(doc, "section", { className: "findings" });
  section.appendChild(el(doc, "h2", { text: t("remoteTitle") }));
  if (!groups.length) {
    section.appendChild(el(doc, "p", { className: "empty", text: t("remoteNone") }));
    return section;
  }
  for (const g of groups) {
    const details = el(doc, "details", { className: g.tracker ? "group tracker" : "group" });
    const summary = el(doc, "summary");
    joined(doc, summary, [
      el(doc, "span", { className: "kind", text: `${g.kindText} ×${g.items.length}` }),
      el(doc, "span", { className: "vendor", text: g.vendor || t("unknownVendor") }),
      g.confidence
        ? el(doc, "span", { className: `confidence confidence-${g.confidence}`, text: g.confidenceText })
        : el(doc, "span", { className: "not-tracker", text: t("notTracker") }),
      g.identifiesYou ? el(doc, "span", { className: "identifies", text: t("identifiesYou") }) : null,
    ]);
    details.appendChild(summary);
    const ul = el(doc, "ul");
    for (const it of g.items) {
      const li = el(doc, "li");
      li.appendChild(el(doc, "code", { className: "url", text: it.url }));
      const meta = [it.action === "allowed" ? t("actionShown") : t("actionBlocked"), it.tracker ? t("isTracker") : t("notTracker")];
      if (it.element) meta.push(it.attribute ? `<${it.element} ${it.attribute}>` : `<${it.element}>`);
      li.appendChild(el(doc, "div", { className: "meta", text: meta.join(SEP) }));
      if (it.reason) li.appendChild(el(doc, "div", { className: "reason", text: t("why", it.reason) }));
      if (it.identifiesYou) li.appendChild(el(doc, "div", { className: "identifies", text: t("carriesAddress") }));
      ul.appendChild(li);
    }
    details.appendChild(ul);
    section.appendChild(details);
  }
  return section;
}

export function renderLinks(doc, links, actions) {
  const section = el(doc, "section", { className: "links" });
  section.appendChild(el(doc, "h2", { text: t("linksTitle") }));
  if (!links.length) {
    section.appendChild(el(doc, "p", { className: "empty", text: t("linksNone") }));
    return section;
  }
  const ul = el(doc, "ul");
  for (const l of links) {
    const li = el(doc, "li", { className: `link status-${l.status}` });
    li.appendChild(
      joined(doc, el(doc, "div", { className: "head" }), [
        el(doc, "span", { className: "status", text: l.label }),
        l.vendor ? el(doc, "span", { className: "vendor", text: l.vendor }) : null,
        l.identifiesYou ? el(doc, "span", { className: "identifies", text: t("identifiesYou") }) : null,
      ]),
    );
    li.appendChild(labelled(doc, "before", t("linkBefore"), l.original));
    if (l.opaque && l.resolved) {
      li.appendChild(labelled(doc, "after", t("linkAfterResolved"), l.resolved));
    } else if (l.opaque) {
      li.appendChild(el(doc, "div", { className: "after", text: t("linkAfterUnknown") }));
    } else if (l.final !== null) {
      li.appendChild(labelled(doc, "after", t("linkAfter"), l.final));
    }
    if (l.removed.length) {
      li.appendChild(el(doc, "div", { className: "removed", text: t("linkRemovedParams", l.removed.join(", ")) }));
    }
    if (l.canUndo) {
      const button = el(doc, "button", { type: "button", className: "undo", text: l.undone ? t("undone") : t("undo") });
      if (l.undone) button.setAttribute("disabled", "disabled");
      button.addEventListener("click", async () => {
        button.setAttribute("disabled", "disabled");
        try {
          await actions.undoLink(l.original);
          button.textContent = t("undone");
        } catch (e) {
          button.removeAttribute("disabled");
          button.textContent = t("failed", e && e.message ? e.message : String(e));
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
const VERDICT_LABELS = { deceptive: "verdictDeceptive", lookalike: "verdictLookalike", hidden: "verdictHidden" };
export function renderDeceptive(doc, items) {
  const section = el(doc, "section", { className: "deceptive" });
  if (!items || !items.length) return section;
  section.appendChild(el(doc, "h2", { text: t("deceptiveTitle") }));
  const ul = el(doc, "ul");
  for (const d of items) {
    const li = el(doc, "li", { className: `verdict verdict-${d.kind}` });
    li.appendChild(el(doc, "span", { className: "verdict-kind", text: `\u26a0 ${VERDICT_LABELS[d.kind] ? t(VERDICT_LABELS[d.kind]) : d.kind}` }));
    if (d.evidence) li.appendChild(el(doc, "div", { className: "evidence", text: d.evidence }));
    li.appendChild(el(doc, "div", { className: "href" }, el(doc, "span", { text: t("deceptiveGoesTo") }), el(doc, "code", { text: d.href })));
    ul.appendChild(li);
  }
  section.appendChild(ul);
  return section;
}

function actionButton(doc, className, text, run, doneText) {
  const button = el(doc, "button", { type: "button", className, text });
  button.addEventListener("click", async () => {
    button.setAttribute("disabled", "disabled");
    try {
      await run();
      button.textContent = doneText;
    } catch (e) {
      button.removeAttribute("disabled");
      button.textContent = t("failed", e && e.message ? e.message : String(e));
    }
  });
  return button;
}

// images: [{domain, blocked, shown, allowedBy, trackers, line}] (see imageSummary);
// sender: the sender-domain policy's line or null.
export function renderImageDomains(doc, images, actions, sender = null) {
  const section = el(doc, "section", { className: "images" });
  if (!images.length && !sender) return section;
  section.appendChild(el(doc, "h2", { text: t("imagesTitle") }));
  if (sender) section.appendChild(el(doc, "p", { className: "sender", text: sender }));
  for (const d of images) {
    const row = el(doc, "div", { className: "image-domain" });
    row.appendChild(el(doc, "p", { className: "line", text: d.line }));
    if (d.shown && d.allowedBy === "allowlist") {
      row.appendChild(
        actionButton(doc, "block", t("blockImagesFrom", d.domain), () => actions.blockImages(d.domain), t("imagesBlockedAgain", d.domain)),
      );
    } else if (d.blocked && !d.shown) {
      row.appendChild(actionButton(doc, "allow", t("showImagesFrom", d.domain), () => actions.allowImages(d.domain), t("imagesAllowed", d.domain)));
    }
    section.appendChild(row);
  }
  return section;
}

export function renderRemoteAllowed(doc) {
  const s = el(doc, "section", { className: "warning" });
  s.appendChild(el(doc, "h2", { text: t("remoteAllowedTitle") }));
  s.appendChild(el(doc, "p", { text: t("remoteAllowedText") }));
  const ol = el(doc, "ol");
  for (const key of ["remoteAllowedStep1", "remoteAllowedStep2", "remoteAllowedStep3"]) ol.appendChild(el(doc, "li", { text: t(key) }));
  s.appendChild(ol);
  return s;
}

export function renderReceipts(doc, receipts) {
  const s = el(doc, "section", { className: "receipts" });
  s.appendChild(el(doc, "h2", { text: t("receiptsTitle") }));
  const ul = el(doc, "ul");
  for (const r of receipts) {
    const li = el(doc, "li");
    li.appendChild(el(doc, "div", {}, el(doc, "code", { text: r.header })));
    li.appendChild(el(doc, "div", { className: "to", text: t("receiptTo", r.to) }));
    li.appendChild(el(doc, "div", { className: "what", text: r.what }));
    ul.appendChild(li);
  }
  s.appendChild(ul);
  return s;
}

export function renderReport(doc, model, actions) {
  const root = el(doc, "div", { className: "report" });
  const header = el(doc, "header");
  header.appendChild(el(doc, "span", { className: "badge", text: model.badge.text }));
  header.appendChild(el(doc, "p", { className: "status", text: model.status }));
  root.appendChild(header);
  root.appendChild(renderDeceptive(doc, model.deceptive));
  if (model.remoteAllowed) root.appendChild(renderRemoteAllowed(doc));
  if (model.receipts && model.receipts.length) root.appendChild(renderReceipts(doc, model.receipts));
  root.appendChild(renderImageDomains(doc, model.images || [], actions, model.sender || null));
  if (!model.plain) root.appendChild(renderGroups(doc, model.groups));
  root.appendChild(renderLinks(doc, model.links, actions));
  if (model.timingMs !== null && model.timingMs !== undefined) {
    root.appendChild(el(doc, "p", { className: "timing", text: t("timing", Math.round(model.timingMs)) }));
  }
  return root;
}
