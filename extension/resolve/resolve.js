// "Resolve tracking link…" window: asks the helper (action `resolve`) where an
// opaque tracking link leads, says why when it cannot, and on success points the
// link in the displayed message at the destination.
import { t } from "../lib/i18n.js";
import { localizePage } from "../lib/localize.js";
import { resolveView } from "../lib/resolve_view.js";

localizePage(document);
const params = new URLSearchParams(location.search);
const url = params.get("url") || "";
const tabId = Number.parseInt(params.get("tabId") || "", 10);
document.getElementById("url").textContent = url;

function line(text, className) {
  const p = document.createElement("p");
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

messenger.runtime
  .sendMessage({ command: "resolve", url, tabId: Number.isInteger(tabId) ? tabId : null })
  .then((answer) => {
    const view = resolveView(answer);
    document.getElementById("status").textContent = view.status;
    const result = document.getElementById("result");
    const nodes = [];
    if (view.final) {
      const code = document.createElement("code");
      code.id = "final";
      code.textContent = view.final;
      nodes.push(code);
      if (view.removed.length) nodes.push(line(t("linkRemovedParams", view.removed.join(", ")), "removed"));
      const open = document.createElement("button");
      open.type = "button";
      open.textContent = t("resolveOpen");
      open.addEventListener("click", () => messenger.windows.openDefaultBrowser(view.final));
      nodes.push(document.createElement("br"), open);
    }
    if (view.warning) nodes.push(line(view.warning, "warning"));
    if (view.hops.length) {
      const ul = document.createElement("ul");
      for (const h of view.hops) {
        const li = document.createElement("li");
        li.textContent = h;
        ul.appendChild(li);
      }
      nodes.push(line(t("resolveContacted")), ul);
    }
    result.replaceChildren(...nodes);
  })
  .catch((e) => {
    document.getElementById("status").textContent = `Trackless: ${e.message || e}`;
  });
