// Options page: helper status, allowlist (edited in place, searchable),
// settings with labels and units. All host calls go through the background
// (only it holds the native port).
import { t } from "../lib/i18n.js";
import { localizePage } from "../lib/localize.js";
import { allowlistRows, parseSetting, settingRows, statusView } from "../lib/options_model.js";

const $ = (id) => document.getElementById(id);
let lastAllowlist = null;

async function ask(msg) {
  const answer = await messenger.runtime.sendMessage(msg);
  if (!answer || !answer.ok) throw new Error((answer && answer.error && answer.error.message) || t("noAnswer"));
  return answer.result;
}

function say(text, error = false) {
  $("message").textContent = text;
  $("message").className = error ? "error" : "";
}

async function checkStatus() {
  $("status").textContent = t("checking");
  const view = statusView(await messenger.runtime.sendMessage({ command: "status" }));
  $("status").textContent = view.text;
  $("fix").hidden = !view.fix;
  $("fix").textContent = view.fix || "";
  return view.ok;
}

function cell(...children) {
  const td = document.createElement("td");
  for (const c of children) td.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  return td;
}

function checkbox(checked, label, onChange) {
  const c = document.createElement("input");
  c.type = "checkbox";
  c.checked = checked;
  c.setAttribute("aria-label", label);
  c.addEventListener("change", () => onChange(c.checked));
  return c;
}

function showAllowlist(result) {
  lastAllowlist = result;
  const rows = allowlistRows(result, $("search").value);
  const body = $("allowlist");
  body.replaceChildren();
  $("allowlist-empty").hidden = rows.length > 0;
  for (const row of rows) {
    const tr = document.createElement("tr");
    tr.appendChild(cell(row.domain));
    const update = async (images, keep_links) => {
      try {
        if (!images && !keep_links) showAllowlist(await ask({ command: "allowlist.remove", domain: row.domain }));
        else showAllowlist(await ask({ command: "allowlist.add", domain: row.domain, images, keep_links }));
        say(t("optUpdated", row.domain));
      } catch (e) {
        say(e.message, true);
      }
    };
    tr.appendChild(cell(checkbox(row.images, t("optShowImages"), (v) => update(v, row.keepLinks))));
    tr.appendChild(cell(checkbox(row.keepLinks, t("optKeepLinks"), (v) => update(row.images, v))));
    tr.appendChild(cell(row.added));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = t("optRemove");
    remove.addEventListener("click", async () => {
      try {
        showAllowlist(await ask({ command: "allowlist.remove", domain: row.domain }));
        say(t("optRemoved", row.domain));
      } catch (e) {
        say(e.message, true);
      }
    });
    tr.appendChild(cell(remove));
    body.appendChild(tr);
  }
}

function showSettings(result) {
  const box = $("settings");
  box.replaceChildren();
  for (const row of settingRows(result)) {
    const p = document.createElement("div");
    p.className = "setting";
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.id = `setting-${row.name}`;
    if (row.type === "boolean") {
      input.type = "checkbox";
      input.checked = Boolean(row.value);
    } else {
      input.type = "text";
      input.inputMode = "decimal";
      input.size = 8;
      input.value = row.shown == null ? "" : String(row.shown);
    }
    input.addEventListener("change", async () => {
      const parsed = parseSetting(row, row.type === "boolean" ? input.checked : input.value);
      if (parsed.error) return say(parsed.error, true);
      try {
        showSettings({ ...(await ask({ command: "settings.set", settings: { [row.name]: parsed.value } })), schema: result.schema });
        say(t("optSaved", row.label));
      } catch (e) {
        say(e.message, true);
      }
    });
    const name = document.createElement("strong");
    name.textContent = row.label;
    if (row.type === "boolean") label.append(input, " ", name);
    else label.append(name, " ", input, row.unit ? ` ${row.unit}` : "");
    const help = document.createElement("p");
    help.className = "help";
    help.textContent = row.help;
    p.append(label, help);
    box.appendChild(p);
  }
}

async function load() {
  if (!(await checkStatus())) return;
  try {
    showAllowlist(await ask({ command: "allowlist.get" }));
    showSettings(await ask({ command: "settings.get" }));
  } catch (e) {
    say(e.message, true);
  }
}

localizePage(document);
$("check").addEventListener("click", () => load());
$("search").addEventListener("input", () => lastAllowlist && showAllowlist(lastAllowlist));
$("add").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    showAllowlist(
      await ask({
        command: "allowlist.add",
        domain: $("add-domain").value.trim(),
        images: $("add-images").checked,
        keep_links: $("add-keep").checked,
      }),
    );
    say(t("optAdded2"));
    $("add-domain").value = "";
  } catch (e) {
    say(e.message, true);
  }
});
$("forget").addEventListener("click", async () => {
  try {
    const result = await ask({ command: "learned.clear" });
    say(result && result.cleared ? "Learned ids forgotten." : "Nothing was learned yet.");
  } catch (e) {
    say(e.message, true);
  }
});
load();
