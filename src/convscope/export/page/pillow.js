// Pillow's resampling (libImaging/Resample.c) in the page: the same weights, the same
// fixed-point arithmetic and rounding for 8-bit images, float32 for mode "F", so that a crop
// and resize here gives the numbers Pillow gives (prepare.js uses it).
"use strict";

const Pillow = (() => {
  const sinc = (x) => (x === 0 ? 1 : Math.sin(x * Math.PI) / (x * Math.PI));
  const FILTERS = {
    box: { support: 0.5, f: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
    bicubic: {
      support: 2,
      f: (x) => {
        const a = -0.5;
        x = Math.abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
      },
    },
    lanczos: { support: 3, f: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
  };

  // For each output pixel: the first input pixel it reads and the weights (Pillow's
  // precompute_coeffs; the box's edges are C floats).
  function coefficients(inSize, in0, in1, outSize, filter) {
    in0 = Math.fround(in0);
    in1 = Math.fround(in1);
    const scale = Math.fround(in1 - in0) / outSize;
    const filterScale = Math.max(scale, 1);
    const support = filter.support * filterScale;
    const step = 1 / filterScale;
    const rows = [];
    for (let xx = 0; xx < outSize; xx++) {
      const center = in0 + (xx + 0.5) * scale;
      const start = Math.max(0, Math.trunc(center - support + 0.5));
      const stop = Math.min(inSize, Math.trunc(center + support + 0.5));
      const k = new Float64Array(Math.max(0, stop - start));
      let total = 0;
      for (let x = 0; x < k.length; x++) {
        k[x] = filter.f((x + start - center + 0.5) * step);
        total += k[x];
      }
      if (total !== 0) for (let x = 0; x < k.length; x++) k[x] /= total;
      rows.push({ start, k });
    }
    return rows;
  }

  // 8-bit images: weights in fixed point with 22 bits, each pass rounded and clipped to 0-255.
  const PRECISION = 1 << 22;
  const fixed = (rows) => rows.map(({ start, k }) => ({
    start,
    k: Array.from(k, (v) => Math.trunc(v < 0 ? -0.5 + v * PRECISION : 0.5 + v * PRECISION)),
  }));
  const clip8 = (sum) => Math.min(255, Math.max(0, Math.floor(sum / PRECISION)));

  // One image resized: `pixels` holds `bands` values per pixel, row by row; `eightBit`:
  // Uint8 arithmetic as for RGB and L images, else float32 as for mode "F".
  function resample(pixels, w, h, bands, outW, outH, filterName, box, eightBit) {
    const filter = FILTERS[filterName];
    box = box || [0, 0, w, h];
    const Store = eightBit ? Uint8ClampedArray : Float32Array;
    const weights = (rows) => (eightBit ? fixed(rows) : rows);
    const sum = (s) => (eightBit ? clip8(s) : s);
    const zero = eightBit ? PRECISION / 2 : 0;
    const vertical = weights(coefficients(h, box[1], box[3], outH, filter));
    const needHorizontal = outW !== w || box[0] !== 0 || box[2] !== outW;
    const needVertical = outH !== h || box[1] !== 0 || box[3] !== outH;
    let image = pixels, width = w;
    if (needHorizontal) {
      const first = vertical[0].start;
      const last = vertical[outH - 1].start + vertical[outH - 1].k.length;
      const horizontal = weights(coefficients(w, box[0], box[2], outW, filter));
      const temp = new Store(outW * (last - first) * bands);
      for (let y = 0; y < last - first; y++) {
        for (let xx = 0; xx < outW; xx++) {
          const { start, k } = horizontal[xx];
          for (let b = 0; b < bands; b++) {
            let s = zero;
            for (let x = 0; x < k.length; x++) s += pixels[((y + first) * w + start + x) * bands + b] * k[x];
            temp[(y * outW + xx) * bands + b] = sum(s);
          }
        }
      }
      for (const row of vertical) row.start -= first;
      image = temp;
      width = outW;
    }
    if (!needVertical) return image === pixels ? Store.from(pixels) : image;
    const out = new Store(width * outH * bands);
    for (let yy = 0; yy < outH; yy++) {
      const { start, k } = vertical[yy];
      for (let xx = 0; xx < width; xx++) {
        for (let b = 0; b < bands; b++) {
          let s = zero;
          for (let y = 0; y < k.length; y++) s += image[((start + y) * width + xx) * bands + b] * k[y];
          out[(yy * width + xx) * bands + b] = sum(s);
        }
      }
    }
    return out;
  }

  return { resample };
})();
