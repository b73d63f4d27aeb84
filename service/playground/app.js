// newsbrief playground: everything the user or the server says is shown with
// textContent, never parsed as markup, so article text can never run.
"use strict";

const $ = (id) => document.getElementById(id);
let lastBox = [];

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function headers() {
  const key = $("apikey").value.trim();
  return key ? { "Content-Type": "application/json", "X-API-Key": key } : { "Content-Type": "application/json" };
}

async function loadEngines() {
  const select = $("engine");
  select.replaceChildren();
  try {
    const response = await fetch("/v1/engines", { headers: headers() });
    if (!response.ok) {
      showError(problemMessage(await response.json()));
      return;
    }
    const body = await response.json();
    for (const engine of body.engines || []) {
      const option = document.createElement("option");
      option.value = engine.name;
      option.textContent = engine.name + (engine.default ? " (default)" : "") + (engine.ready ? "" : " - not ready");
      option.disabled = !engine.ready;
      option.selected = engine.default;
      select.appendChild(option);
    }
  } catch (err) {
    showError("Could not list engines: " + err);
  }
}

async function loadSample() {
  const response = await fetch("/playground/sample");
  const body = await response.json();
  $("article").value = body.text;
  $("title").value = body.title || "";
  $("format").value = "text";
}

function problemMessage(problem) {
  let message = (problem.title || "Error") + ": " + (problem.detail || "");
  if (problem.errors) {
    for (const [field, messages] of Object.entries(problem.errors)) {
      message += "\n" + field + ": " + [].concat(messages).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
    }
  }
  return message;
}

function clearResult() {
  $("summary").textContent = "";
  $("box").replaceChildren();
  lastBox = [];
  $("copy-json").disabled = $("copy-html").disabled = true;
}

async function summarise() {
  showError("");
  clearResult(); // never leave the last article's result beside a new error
  const format = $("format").value;
  const request = { [format]: $("article").value };
  if ($("title").value.trim()) request.title = $("title").value.trim();
  const options = { engine: $("engine").value };
  if ($("bullets").value) options.bullets = Number($("bullets").value);
  request.options = options;
  $("submit").disabled = true;
  $("meta").textContent = "Working...";
  try {
    const response = await fetch("/v1/summaries", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify(request),
    });
    const body = await response.json();
    if (!response.ok) {
      showError(problemMessage(body));
      $("meta").textContent = "";
      return;
    }
    render(body);
  } catch (err) {
    showError("Request failed: " + err);
    $("meta").textContent = "";
  } finally {
    $("submit").disabled = false;
  }
}

function render(body) {
  $("summary").textContent = body.summary;
  const list = $("box");
  list.replaceChildren();
  for (const bullet of body.bullets) {
    const item = document.createElement("li");
    item.textContent = bullet;
    list.appendChild(item);
  }
  lastBox = body.bullets;
  $("copy-json").disabled = $("copy-html").disabled = lastBox.length === 0;
  $("meta").textContent = `engine ${body.engine} · model ${body.model} · ${body.elapsed_ms} ms` +
    (body.truncated ? " · input was cut to fit" : "");
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    $("meta").textContent = "Copied.";
  } catch (err) {
    showError("Copy failed (clipboard needs https or localhost): " + err);
  }
}

$("sample").addEventListener("click", loadSample);
$("apikey").addEventListener("change", () => { showError(""); loadEngines(); });
$("submit").addEventListener("click", summarise);
$("copy-json").addEventListener("click", () => copy(JSON.stringify({ what_you_need_to_know: lastBox }, null, 2)));
$("copy-html").addEventListener("click", () =>
  copy("<h2>What You Need To Know</h2>\n<ul>\n" + lastBox.map((b) => "  <li>" + escapeHtml(b) + "</li>").join("\n") + "\n</ul>"));
loadEngines();
