// The exported page: the network in ONNX Runtime Web (WebAssembly, one thread), a digit drawn
// or a picture dropped, prepared as `convscope predict` prepares it (prepare.js), and the
// network's answer. Everything it needs is in its folder, written as classic scripts so that
// it opens from file:// too: the runtime's loader and WebAssembly (runtime/), the network
// and what it expects (model.js: window.CONVSCOPE).
"use strict";

const EXPORT = window.CONVSCOPE;
const INPUT = EXPORT.input;
const NAMES = EXPORT.class_names;
let lang = (navigator.language || "en").toLowerCase().startsWith("fr") ? "fr" : "en";
let shown = null; // the last answer, shown again when the language changes

const $ = (id) => document.getElementById(id);
const say = (key, values = {}) =>
  EXPORT.words[lang][key].replace(/\{(\w+)\}/g, (_, name) => values[name]);
const percent = (p) => {
  const text = (100 * p).toFixed(1);
  return lang === "fr" ? `${text.replace(".", ",")}\u202f%` : `${text}%`;
};

function bytes(base64) {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

async function inflate(gzipped) {
  const stream = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// -- the network ------------------------------------------------------------------------------

async function start() {
  ort.env.wasm.numThreads = 1; // threads need a server's cross-origin isolation
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = await inflate(bytes(window.ORT_WASM_GZIP));
  const loader = new Blob([window.ORT_WASM_LOADER], { type: "text/javascript" });
  ort.env.wasm.wasmPaths = { mjs: URL.createObjectURL(loader) };
  return ort.InferenceSession.create(bytes(EXPORT.model), { executionProviders: ["wasm"] });
}
const session = start();

// Probabilities for `count` prepared images laid one after the other in `values`; one run
// at a time (strokes can come faster than answers).
let running = session;
function predict(values, count = 1) {
  const shape = [count, INPUT.height, INPUT.width, INPUT.channels];
  const answer = running.then(async () => {
    const s = await session;
    const result = await s.run({ [INPUT.name]: new ort.Tensor("float32", values, shape) });
    return Array.from(result[EXPORT.output.name].data);
  });
  running = answer.catch(() => null);
  return answer;
}

// -- showing an answer ----------------------------------------------------------------------

function showWords() {
  document.documentElement.lang = lang;
  document.title = say("page_title", { label: EXPORT.label });
  $("title").textContent = document.title;
  for (const el of document.querySelectorAll("[data-word]")) el.textContent = say(el.dataset.word);
  for (const el of document.querySelectorAll("[data-title]")) el.title = say(el.dataset.title);
  for (const b of document.querySelectorAll(".languages button")) {
    b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
  }
  $("seen-caption").textContent = say("page_seen", { height: INPUT.height, width: INPUT.width });
  $("offline").textContent = say("page_offline", { version: EXPORT.runtime_version });
  $("accuracy").textContent = EXPORT.accuracy == null ? ""
    : say("page_accuracy", { accuracy: percent(EXPORT.accuracy) });
  if (shown) show(shown);
}

function show(answer) {
  shown = answer;
  const verdict = $("verdict");
  $("bars").replaceChildren();
  if (answer.message) {
    verdict.textContent = say(answer.message);
    return;
  }
  const best = answer.probabilities.indexOf(Math.max(...answer.probabilities));
  verdict.textContent = say("page_answer", { label: NAMES[best], confidence: percent(answer.probabilities[best]) });
  answer.probabilities.forEach((p, i) => {
    const row = document.createElement("li");
    if (i === best) row.className = "best";
    const name = document.createElement("span");
    name.textContent = NAMES[i];
    const bar = document.createElement("span");
    bar.className = "bar";
    const fill = document.createElement("span");
    fill.style.width = `${(100 * p).toFixed(1)}%`;
    bar.append(fill);
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = percent(p);
    row.append(name, bar, value);
    $("bars").append(row);
  });
}

// The prepared input, drawn as the network receives it (values 0-1, white = 1).
function showSeen(input) {
  const canvas = $("seen");
  canvas.width = INPUT.width;
  canvas.height = INPUT.height;
  const context = canvas.getContext("2d");
  const picture = context.createImageData(INPUT.width, INPUT.height);
  for (let i = 0; i < INPUT.width * INPUT.height; i++) {
    for (let b = 0; b < 3; b++) {
      const v = input[i * INPUT.channels + (INPUT.channels === 3 ? b : 0)];
      picture.data[4 * i + b] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
    picture.data[4 * i + 3] = 255;
  }
  context.putImageData(picture, 0, 0);
}

async function answerFor(prepare) {
  let input;
  try {
    input = prepare();
  } catch (error) {
    if (!(error instanceof Prepare.Refused)) throw error;
    show({ message: `page_${error.message}` });
    return null;
  }
  showSeen(input);
  const probabilities = await predict(input);
  show({ probabilities });
  return { input, probabilities };
}

// -- a digit drawn -------------------------------------------------------------------------------

// Pen and canvas as in the app's Draw tab: a 280-pixel canvas, a round pen of radius 11,
// black ink on white paper.
const PEN = 11;
const pad = $("pad");
const pen = pad.getContext("2d", { willReadFrequently: true });
const strokes = [];
let current = null;

function paint(points) {
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.lineWidth = 2 * PEN;
  pen.strokeStyle = "black";
  pen.beginPath();
  pen.moveTo(...points[0]);
  for (const p of points) pen.lineTo(...p);
  pen.stroke();
}
function repaint() {
  pen.fillStyle = "white";
  pen.fillRect(0, 0, pad.width, pad.height);
  strokes.forEach(paint);
}
function drawnDigit() {
  const { data } = pen.getImageData(0, 0, pad.width, pad.height);
  return Prepare.digit(Prepare.luma(Prepare.rgbOverWhite(data)), pad.width, pad.height);
}
function answerDrawing() {
  if (!strokes.length) {
    shown = null;
    $("bars").replaceChildren();
    $("verdict").textContent = say("page_waiting");
    return Promise.resolve(null);
  }
  return answerFor(drawnDigit);
}
function at(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) * pad.width / box.width,
          (event.clientY - box.top) * pad.height / box.height];
}
function finish() {
  if (!current) return;
  strokes.push(current);
  current = null;
  answerDrawing();
}

// -- a picture dropped or photographed ---------------------------------------------------------

async function pictureFrom(file) {
  // Upright as its EXIF says, colours as stored (Pillow ignores colour profiles too).
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image", colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0);
  return { data: context.getImageData(0, 0, canvas.width, canvas.height).data,
           width: canvas.width, height: canvas.height, jpeg: file.type === "image/jpeg" };
}
function preparedPhoto(picture) {
  return Prepare.photo(picture.data, picture.width, picture.height, INPUT.height, INPUT.width,
                       INPUT.channels, picture.jpeg);
}
async function answerFile(file) {
  if (!file) return null;
  let picture;
  try {
    picture = await pictureFrom(file);
  } catch {
    show({ message: "page_unreadable" });
    return null;
  }
  $("preview").src = URL.createObjectURL(file);
  return answerFor(() => preparedPhoto(picture));
}

// -- wiring ------------------------------------------------------------------------------------

document.body.classList.add(INPUT.kind === "digit" ? "digit" : "photo");
for (const b of document.querySelectorAll(".languages button")) {
  b.addEventListener("click", () => { lang = b.dataset.lang; showWords(); });
}
showWords();
if (INPUT.kind === "digit") {
  repaint();
  pad.addEventListener("pointerdown", (e) => { pad.setPointerCapture(e.pointerId); current = [at(e)]; paint(current); });
  pad.addEventListener("pointermove", (e) => { if (current) { current.push(at(e)); paint(current.slice(-2)); } });
  pad.addEventListener("pointerup", finish);
  pad.addEventListener("pointercancel", finish);
  $("undo").addEventListener("click", () => { strokes.pop(); repaint(); answerDrawing(); });
  $("clear").addEventListener("click", () => { strokes.length = 0; repaint(); answerDrawing(); });
} else {
  const drop = $("drop");
  $("file").addEventListener("change", (e) => answerFile(e.target.files[0]));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); answerFile(e.dataTransfer.files[0]); });
}
session.then(() => { if (!shown) $("verdict").textContent = say("page_waiting"); },
             (error) => { $("verdict").textContent = say("page_failed", { error: String(error) }); });

// What the tests (and the curious, in the console) can ask the page.
window.convscope = {
  ready: session.then(() => true),
  predict,
  drawnDigit,
  answerDrawing,
  answerFile,
  preparedPhoto,
  pictureFrom,
  strokes,
};
