// A picture prepared in the page exactly as `convscope predict` prepares it (Run.as_input),
// so that the network receives the same numbers here as in Python.
//
// Photos (datasets/decoding.py, images.py): RGB, centre-cropped to the network's aspect
// ratio, resized with Pillow's bicubic filter (pillow.js: its 8-bit fixed-point arithmetic,
// rounding included), divided by 255. Digits (datasets/digits.py): the same steps as convscope's
// preparation of a handwritten digit, SciPy's filters and Pillow's BOX and Lanczos resizing
// written out here. Python's round() rounds halves to even: `pyRound` does the same.
"use strict";

const Prepare = (() => {
  const pyRound = (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };

  // -- pictures from the browser ------------------------------------------------------------

  // RGBA from a canvas → 8-bit RGB, transparent pixels over white paper; and Pillow's "L".
  function rgbOverWhite(rgba) {
    const n = rgba.length / 4;
    const rgb = new Uint8ClampedArray(n * 3);
    for (let i = 0; i < n; i++) {
      const a = rgba[4 * i + 3] / 255;
      for (let b = 0; b < 3; b++) rgb[3 * i + b] = Math.round(rgba[4 * i + b] * a + 255 * (1 - a));
    }
    return rgb;
  }
  function luma(rgb) {
    const grey = new Float32Array(rgb.length / 3);
    for (let i = 0; i < grey.length; i++) {
      grey[i] = (rgb[3 * i] * 19595 + rgb[3 * i + 1] * 38470 + rgb[3 * i + 2] * 7471 + 0x8000) >> 16;
    }
    return grey;
  }

  // A photo: ImageOps.fit (centre crop to the aspect ratio, bicubic resize), then / 255.
  // `jpeg`: convscope decodes a large JPEG at 1/2, 1/4 or 1/8 of its size (Pillow's draft
  // mode, decoding.py); the browser decodes it whole, so it is reduced here by averaging
  // blocks of as many pixels, what the JPEG's scaled decoding nearly amounts to.
  function photo(rgba, w, h, outH, outW, channels, jpeg = false) {
    let pixels = rgbOverWhite(rgba), bands = 3;
    const factor = jpeg ? draftFactor(w, h, outW, outH) : 1;
    if (factor > 1) [pixels, w, h] = reduced(pixels, w, h, factor);
    const ratio = outW / outH;
    let cropW = w, cropH = h;
    if (w / h !== ratio) {
      if (w / h >= ratio) cropW = ratio * h;
      else cropH = w / ratio;
    }
    const left = (w - cropW) * 0.5, top = (h - cropH) * 0.5;
    if (channels === 1) {
      pixels = Uint8ClampedArray.from(luma(pixels));
      bands = 1;
    }
    const fitted = Pillow.resample(pixels, w, h, bands, outW, outH, "bicubic",
                                   [left, top, left + cropW, top + cropH], true);
    return Float32Array.from(fitted, (v) => v / 255);
  }

  // The scale Pillow's JPEG draft picks for convscope's request (decoding.py).
  function draftFactor(w, h, outW, outH) {
    const scale = Math.max(outW / w, outH / h);
    if (scale >= 1) return 1;
    const want = [Math.max(1, pyRound(w * scale)), Math.max(1, pyRound(h * scale))];
    const most = Math.min(Math.floor(w / want[0]), Math.floor(h / want[1]));
    return [8, 4, 2, 1].find((a) => most >= a);
  }
  function reduced(rgb, w, h, a) {
    const rw = Math.ceil(w / a), rh = Math.ceil(h / a), out = new Uint8ClampedArray(rw * rh * 3);
    for (let y = 0; y < rh; y++) for (let x = 0; x < rw; x++) for (let b = 0; b < 3; b++) {
      let sum = 0, n = 0;
      for (let v = y * a; v < Math.min(h, (y + 1) * a); v++) {
        for (let u = x * a; u < Math.min(w, (x + 1) * a); u++) { sum += rgb[(v * w + u) * 3 + b]; n++; }
      }
      out[(y * rw + x) * 3 + b] = Math.round(sum / n);
    }
    return [out, rw, rh];
  }

  // -- a handwritten digit, as MNIST was made (datasets/digits.py) --------------------------

  const WORKING_SIDE = 256, BOX = 20, SIZE = 28;
  const THINNEST = 1.5, THICKEST = 4.5, TARGET_WIDTH = 2.5, SPECK = 0.04, EDGE_BAND = 0.06;
  const SOFT = 0.5, THICK_PEN = 0.5, FRAME = 0.02, EVEN_FRAME = 0.25;

  class Refused extends Error {}

  // grey: Float32Array of h×w levels 0-255 → Float32Array of 28×28, ink = 1.
  function digit(grey, w, h) {
    [grey, w, h] = native(grey, w, h);
    if (Math.max(h, w) > WORKING_SIDE) {
      const scale = WORKING_SIDE / Math.max(h, w);
      const nw = Math.max(1, pyRound(w * scale)), nh = Math.max(1, pyRound(h * scale));
      grey = Pillow.resample(grey, w, h, 1, nw, nh, "box", null, false);
      [w, h] = [nw, nh];
    }
    let ink = inkStrength(grey, w, h);
    if (!ink.some((v) => v > 0)) throw new Refused("no_ink");
    const mask = digitMask(ink, w, h);
    ink = ink.map((v, i) => v * mask[i]);
    let top = h, bottom = -1, left = w, right = -1;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      if (ink[y * w + x] !== 0) {
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
      }
    }
    let cw = right - left + 1, ch = bottom - top + 1;
    let crop = new Float32Array(cw * ch);
    for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) crop[y * cw + x] = ink[(y + top) * w + x + left];
    ({ crop, cw, ch } = normaliseStroke(crop, cw, ch));
    const scale = BOX / Math.max(ch, cw);
    const fw = Math.max(1, pyRound(cw * scale)), fh = Math.max(1, pyRound(ch * scale));
    const fitted = Pillow.resample(crop, cw, ch, 1, fw, fh, "lanczos", null, false)
      .map((v) => Math.min(1, Math.max(0, v)));
    return centreByMass(fitted, fw, fh);
  }

  function percentile(sorted, q) {
    const at = (q / 100) * (sorted.length - 1), lo = Math.floor(at), t = at - lo;
    const a = sorted[lo], b = sorted[Math.min(lo + 1, sorted.length - 1)];
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
  }
  const median = (values) => percentile(Float64Array.from(values).sort(), 50);

  // A picture enlarged by repeating its pixels back at its own resolution (Pillow's BOX), then
  // enlarged again smoothly (bicubic) to its size.
  function native(grey, w, h) {
    const block = Math.min(repeat(grey, w, h, true), repeat(grey, w, h, false));
    if (block < 2) return [grey, w, h];
    const nw = Math.max(1, pyRound(w / block)), nh = Math.max(1, pyRound(h / block));
    const small = Pillow.resample(grey, w, h, 1, nw, nh, "box", null, false);
    return [Pillow.resample(small, nw, nh, 1, w, h, "bicubic", null, false), w, h];
  }
  // How many times each row (`rows`) or column is repeated; 1 when the changes are off a grid.
  function repeat(grey, w, h, rows) {
    const [n, m] = rows ? [h, w] : [w, h];
    const at = rows ? (line, i) => grey[line * w + i] : (line, i) => grey[i * w + line];
    const changes = [];
    for (let line = 1; line < n; line++) {
      let most = 0;
      for (let i = 0; i < m; i++) most = Math.max(most, Math.abs(Math.fround(at(line, i) - at(line - 1, i))));
      if (most > 0.5) changes.push(line);
    }
    if (changes.length < 6) return 1;
    const counts = [];
    for (let i = 1; i < changes.length; i++) {
      const gap = changes[i] - changes[i - 1];
      counts[gap] = (counts[gap] || 0) + 1;
    }
    let block = 0;
    counts.forEach((c, gap) => { if (c > (counts[block] || 0)) block = gap; });
    if (block < 2) return 1;
    const onGrid = changes.filter((c) => (c - changes[0]) % block === 0).length / changes.length;
    return onGrid >= 0.9 ? block : 1;
  }

  // Ink as 0-1: the paper's window widened for soft ink and for a felt pen's strokes.
  function inkStrength(grey, w, h) {
    const dark = darkInk(grey, w, h);
    const size = Math.max(5, pyRound(0.2 * Math.min(h, w)));
    const widest = Math.floor(Math.min(h, w) / 2);
    // A felt pen's strokes first: the usual window would break them into soft-looking blocks.
    const wide = scaled(contrast(grey, w, h, dark, widest), w, h);
    if (strokeWidth(wide, w, h) > THICK_PEN * size) return wide;
    const ink = scaled(contrast(grey, w, h, dark, size), w, h);
    const reach = softWidth(ink, w, h);
    if (reach > 0) {
      const soft = scaled(contrast(grey, w, h, dark, Math.max(size, Math.min(pyRound(3 * reach), widest))), w, h);
      return soft.some((v) => v !== 0) ? soft : ink;
    }
    return ink;
  }

  // Ink on the far side of the ground's level: the frame's where it is even (paper all
  // round), else the median's (a photo's frame may hold a table or a shadow).
  function darkInk(grey, w, h) {
    const all = Float64Array.from(grey).sort();
    const low0 = percentile(all, 1), high0 = percentile(all, 99);
    const edges = frame(grey, w, h);
    const edgeLow = percentile(edges, 10), edge = percentile(edges, 50), edgeHigh = percentile(edges, 90);
    if (high0 - low0 >= 32 && edgeHigh - edgeLow < EVEN_FRAME * (high0 - low0)) {
      return edge - low0 > high0 - edge;
    }
    if (Math.min(h, w) >= 64) {
      const light = gaussian(grey, w, h, Math.min(h, w) / 6);
      grey = grey.map((g, i) => g - light[i]);
    }
    const sorted = Float64Array.from(grey).sort();
    const low = percentile(sorted, 1), mid = percentile(sorted, 50), high = percentile(sorted, 99);
    if (high - low >= 32) return mid - low > high - mid;
    let below = 0, above = 0;
    for (const g of grey) { below += Math.max(mid - g, 0); above += Math.max(g - mid, 0); }
    return below > above;
  }

  // The levels of the outermost rows and columns (as NumPy's concatenation: corners twice), sorted.
  function frame(grey, w, h) {
    const band = Math.max(1, pyRound(FRAME * Math.min(h, w)));
    const levels = [];
    const row = (y) => { for (let x = 0; x < w; x++) levels.push(grey[y * w + x]); };
    const column = (x) => { for (let y = 0; y < h; y++) levels.push(grey[y * w + x]); };
    for (let k = 0; k < band; k++) row(k);
    for (let k = 0; k < band; k++) row(h - band + k);
    for (let k = 0; k < band; k++) column(k);
    for (let k = 0; k < band; k++) column(w - band + k);
    return Float64Array.from(levels).sort();
  }

  // The ink's contrast against the ground around it (paper never lighter than the closing).
  function contrast(grey, w, h, dark, size) {
    const ground = background(grey, w, h, dark, size);
    const smooth = gaussian(ground, w, h, Math.max(1.25, 0.05 * Math.min(h, w)));
    const ink = new Float32Array(grey.length);
    for (let i = 0; i < ink.length; i++) {
      if (dark) {
        const paper = Math.min(ground[i], smooth[i]);
        ink[i] = Math.fround(255 * Math.fround(Math.max(paper - grey[i], 0))) / Math.max(paper, 1);
      } else ink[i] = grey[i] - Math.max(ground[i], smooth[i]);
    }
    return ink;
  }

  function scaled(ink, w, h) {
    const strongest = Math.max(max(window(ink, w, h, 1, 2, Math.min)), max(window(ink, w, h, 2, 1, Math.min)));
    const centre = median(ink);
    const noise = 1.4826 * median(ink.map((v) => Math.abs(v - centre)));
    if (strongest < Math.max(16, 6 * noise)) return new Float32Array(ink.length);
    const lowInk = 0.25 * strongest;
    return ink.map((v) => Math.min(1, Math.max(0, (v - lowInk) / (strongest - lowInk))));
  }
  const max = (a) => a.reduce((m, v) => (v > m ? v : m), -Infinity);

  // The paper's level: a grey closing (opening for light ink) wider than strokes.
  function background(grey, w, h, dark, k) {
    if (Math.min(h, w) < 64) return new Float32Array(grey.length).fill(median(grey));
    const [first, then] = dark ? [Math.max, Math.min] : [Math.min, Math.max];
    return window(window(grey, w, h, k, k, first), w, h, k, k, then);
  }

  // SciPy's 'reflect' boundary: d c b a | a b c d | d c b a
  function reflect(i, n) {
    for (;;) {
      if (i < 0) i = -i - 1;
      else if (i >= n) i = 2 * n - i - 1;
      else return i;
    }
  }

  // SciPy's maximum_filter / minimum_filter of size (kh, kw), one axis after the other.
  function window(a, w, h, kh, kw, reduce) {
    let out = a;
    if (kw > 1) out = along(out, w, h, kw, reduce, true);
    if (kh > 1) out = along(out, w, h, kh, reduce, false);
    return out;
  }
  function along(a, w, h, k, reduce, rows) {
    const out = new Float32Array(a.length);
    const before = Math.floor(k / 2);
    const [n, m] = rows ? [w, h] : [h, w];
    const index = rows ? (line, i) => line * w + i : (line, i) => i * w + line;
    const values = new Float32Array(n + k);
    for (let line = 0; line < m; line++) {
      for (let i = 0; i < n + k - 1; i++) values[i] = a[index(line, reflect(i - before, n))];
      for (let i = 0; i < n; i++) {
        let v = values[i];
        for (let j = 1; j < k; j++) v = reduce(v, values[i + j]);
        out[index(line, i)] = v;
      }
    }
    return out;
  }

  // SciPy's gaussian_filter: truncated at 4 sigma, 'reflect', float32 after each axis.
  function gaussian(a, w, h, sigma) {
    const radius = Math.trunc(4 * sigma + 0.5);
    const weights = [];
    let total = 0;
    for (let x = -radius; x <= radius; x++) { weights.push(Math.exp(-0.5 / (sigma * sigma) * x * x)); total += weights[weights.length - 1]; }
    for (let i = 0; i < weights.length; i++) weights[i] /= total;
    const pass = (src, rows) => {
      const out = new Float32Array(src.length);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        let s = 0;
        for (let j = -radius; j <= radius; j++) {
          s += weights[j + radius] * (rows ? src[y * w + reflect(x + j, w)] : src[reflect(y + j, h) * w + x]);
        }
        out[y * w + x] = s;
      }
      return out;
    };
    return pass(pass(a, false), true);
  }

  // Pieces of touching pixels (8 neighbours), numbered from 1 in reading order.
  function components(mask, w, h) {
    const labels = new Int32Array(mask.length);
    let count = 0;
    for (let startAt = 0; startAt < mask.length; startAt++) {
      if (!mask[startAt] || labels[startAt]) continue;
      labels[startAt] = ++count;
      const todo = [startAt];
      while (todo.length) {
        const p = todo.pop(), y = Math.floor(p / w), x = p % w;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const v = y + dy, u = x + dx, q = v * w + u;
          if (v >= 0 && v < h && u >= 0 && u < w && mask[q] && !labels[q]) { labels[q] = count; todo.push(q); }
        }
      }
    }
    return { labels, count };
  }

  // The digit's ink: specks and lines along the picture's edges dropped; several digits refused.
  function digitMask(ink, w, h) {
    const { labels, count } = components(ink.map((v) => (v > 0 ? 1 : 0)), w, h);
    if (count <= 1) return labels.map((l) => (l > 0 ? 1 : 0));
    const mass = new Float64Array(count), edge = new Float64Array(count), size = new Float64Array(count);
    const boxes = Array.from({ length: count }, () => [h, 0, w, 0]);
    const band = Math.max(2, pyRound(EDGE_BAND * Math.min(h, w)));
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const l = labels[y * w + x] - 1;
      if (l < 0) continue;
      mass[l] += ink[y * w + x];
      size[l] += 1;
      edge[l] += y < band || y >= h - band || x < band || x >= w - band ? 1 : 0;
      const b = boxes[l];
      b[0] = Math.min(b[0], y); b[1] = Math.max(b[1], y + 1); b[2] = Math.min(b[2], x); b[3] = Math.max(b[3], x + 1);
    }
    const heaviest = max(mass);
    const keep = Array.from(mass, (m) => m >= SPECK * heaviest);
    boxes.forEach(([y0, y1, x0, x1], i) => {
      const longThin = (y1 - y0 > 0.8 * h && x1 - x0 < 0.1 * w) || (x1 - x0 > 0.8 * w && y1 - y0 < 0.1 * h);
      const touches = y0 === 0 || x0 === 0 || y1 === h || x1 === w;
      if (touches && (longThin || edge[i] / size[i] > 0.5)) keep[i] = false;
    });
    if (!keep.some(Boolean)) keep[mass.indexOf(heaviest)] = true;
    refuseSeveralDigits(boxes.filter((_, i) => keep[i]), Array.from(mass).filter((_, i) => keep[i]));
    return labels.map((l) => (l > 0 && keep[l - 1] ? 1 : 0));
  }

  function refuseSeveralDigits(boxes, mass) {
    const spans = boxes.map(([y0, y1, x0, x1], i) => [x0, x1, y0, y1, mass[i]])
      .sort((a, b) => { for (let i = 0; i < 5; i++) if (a[i] !== b[i]) return a[i] - b[i]; return 0; });
    const groups = [];
    for (const [x0, x1, y0, y1, m] of spans) {
      const g = groups[groups.length - 1];
      if (g && x0 < g[1]) { g[1] = Math.max(g[1], x1); g[2] = Math.min(g[2], y0); g[3] = Math.max(g[3], y1); g[4] += m; }
      else groups.push([x0, x1, y0, y1, m]);
    }
    if (groups.length < 2) return;
    const tallest = max(groups.map((g) => g[3] - g[2]));
    const total = groups.reduce((s, g) => s + g[4], 0);
    const digits = groups.filter((g) => g[3] - g[2] >= 0.5 * tallest && g[4] >= 0.15 * total);
    if (digits.length >= 2) throw new Refused("several_digits");
  }

  // Each ink pixel's distance to the nearest paper pixel (SciPy's distance_transform_edt),
  // exactly: squared distances down each column, then across each row.
  function distanceToPaper(mask, w, h) {
    const d = Float64Array.from(mask, (m) => (m ? Infinity : 0));
    const pass = (n, lines, at) => {
      const line = new Float64Array(n);
      for (let l = 0; l < lines; l++) {
        for (let i = 0; i < n; i++) line[i] = d[at(l, i)];
        for (let i = 0; i < n; i++) {
          let best = Infinity;
          for (let j = 0; j < n; j++) best = Math.min(best, line[j] + (i - j) * (i - j));
          d[at(l, i)] = best;
        }
      }
    };
    pass(h, w, (x, y) => y * w + x);
    pass(w, h, (y, x) => y * w + x);
    return d.map(Math.sqrt);
  }

  function strokeWidth(crop, w, h) {
    const pw = w + 2, ph = h + 2, padded = new Uint8Array(pw * ph);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) padded[(y + 1) * pw + x + 1] = crop[y * w + x] > 0.5 ? 1 : 0;
    if (!padded.some(Boolean)) return 0;
    const full = distanceToPaper(padded, pw, ph);
    const distance = new Float64Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) distance[y * w + x] = full[(y + 1) * pw + x + 1];
    const peaks = along64(along64(distance, w, h, true), w, h, false);
    const ridge = [];
    for (let i = 0; i < distance.length; i++) if (crop[i] > 0.5 && distance[i] >= peaks[i]) ridge.push(distance[i]);
    return 2 * median(ridge);
  }
  // The ink's edges' typical width: the stroke's strength nearby over the slope (NumPy's
  // gradient: central differences inside, one-sided at the borders).
  function edgeWidth(ink, w, h, width) {
    if (Math.min(h, w) < 3) return 0;
    const k = 2 * Math.max(1, pyRound(width)) + 1;
    const peak = window(ink, w, h, k, k, Math.max);
    const slope = (y, x) => {
      const dy = y === 0 ? ink[w + x] - ink[x] : y === h - 1 ? ink[y * w + x] - ink[(y - 1) * w + x]
        : Math.fround(ink[(y + 1) * w + x] - ink[(y - 1) * w + x]) / 2;
      const dx = x === 0 ? ink[y * w + 1] - ink[y * w] : x === w - 1 ? ink[y * w + x] - ink[y * w + x - 1]
        : Math.fround(ink[y * w + x + 1] - ink[y * w + x - 1]) / 2;
      return Math.fround(Math.hypot(Math.fround(dy), Math.fround(dx)));
    };
    const ratios = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = y * w + x, p = peak[i], s = slope(y, x);
      if (ink[i] > 0.25 * p && ink[i] < Math.fround(0.75 * p) && s > Math.fround(1e-3) && p > Math.fround(0.2)) {
        ratios.push(Math.fround(p / s));
      }
    }
    return ratios.length ? median(ratios) : 0;
  }
  // How far soft ink reaches beyond its strokes' middle; 0 for sharp ink.
  function softWidth(ink, w, h) {
    const width = strokeWidth(ink, w, h), edge = edgeWidth(ink, w, h, width);
    return edge > SOFT * width ? width / 2 + edge : 0;
  }

  // A 3-wide maximum filter in float64 (distances are compared exactly).
  function along64(a, w, h, rows) {
    const out = new Float64Array(a.length);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let v = -Infinity;
      for (let j = -1; j <= 1; j++) v = Math.max(v, rows ? a[y * w + reflect(x + j, w)] : a[reflect(y + j, h) * w + x]);
      out[y * w + x] = v;
    }
    return out;
  }

  // Hairlines thickened and blobs thinned towards MNIST's stroke width (grey dilation or
  // erosion with a disk, SciPy's 'reflect' boundary).
  function normaliseStroke(crop, cw, ch) {
    const scale = BOX / Math.max(cw, ch);
    const width = strokeWidth(crop, cw, ch) * scale;
    if ((width >= THINNEST && width <= THICKEST) || width === 0) return { crop, cw, ch };
    // A soft stroke is thick by its blur, not by its pen: thinning would lose its mass.
    if (width > THICKEST && edgeWidth(crop, cw, ch, width / scale) > SOFT * width / scale) return { crop, cw, ch };
    const radius = pyRound(Math.abs(TARGET_WIDTH - width) / 2 / scale);
    if (radius < 1) return { crop, cw, ch };
    if (width < THINNEST) {
      const pw = cw + 2 * radius, ph = ch + 2 * radius, padded = new Float32Array(pw * ph);
      for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) padded[(y + radius) * pw + x + radius] = crop[y * cw + x];
      return { crop: disk(padded, pw, ph, radius, Math.max), cw: pw, ch: ph };
    }
    const thinner = disk(crop, cw, ch, radius, Math.min);
    return max(thinner) > 0 ? { crop: thinner, cw, ch } : { crop, cw, ch };
  }
  function disk(a, w, h, radius, reduce) {
    const out = new Float32Array(a.length);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let v = null;
      for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) {
        if (dy * dy + dx * dx > radius * radius) continue;
        const s = a[reflect(y + dy, h) * w + reflect(x + dx, w)];
        v = v === null ? s : reduce(v, s);
      }
      out[y * w + x] = v;
    }
    return out;
  }

  function centreByMass(d, w, h) {
    let total = 0, cy = 0, cx = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const v = d[y * w + x]; total += v; cy += v * y; cx += v * x; }
    cy /= total; cx /= total;
    const top = Math.min(Math.max(pyRound(SIZE / 2 - cy), 0), SIZE - h);
    const left = Math.min(Math.max(pyRound(SIZE / 2 - cx), 0), SIZE - w);
    const field = new Float32Array(SIZE * SIZE);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) field[(y + top) * SIZE + x + left] = d[y * w + x];
    return field;
  }

  return { photo, digit, luma, rgbOverWhite, Refused, pyRound };
})();
