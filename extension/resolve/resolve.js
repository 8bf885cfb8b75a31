// "Resolve tracking link…" window: asks the helper (action `resolve`) where an
// opaque tracking link leads, and says why when it cannot.
import { resolveView } from "../lib/resolve_view.js";

const url = new URLSearchParams(location.search).get("url") || "";
document.getElementById("url").textContent = url;

messenger.runtime
  .sendMessage({ command: "resolve", url })
  .then((answer) => {
    const view = resolveView(answer);
    document.getElementById("status").textContent = view.status;
    const result = document.getElementById("result");
    if (view.final) {
      const code = document.createElement("code");
      code.textContent = view.final;
      const open = document.createElement("button");
      open.textContent = "Open in browser";
      open.addEventListener("click", () => messenger.windows.openDefaultBrowser(view.final));
      result.replaceChildren(code, document.createElement("br"), open);
    }
  })
  .catch((e) => {
    document.getElementById("status").textContent = `Trackless: ${e.message || e}`;
  });
