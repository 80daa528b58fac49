// A loss curve on a <canvas>, drawn by hand (no chart library): every step's loss, faint, and
// a moving average over it, with a dashed guide at `mark` (e.g. the 2.5 nats to beat). Drawing
// costs one pass over the losses at most one point per pixel column, well under a millisecond.

export class LossChart {
  constructor(canvas, { mark = null, unit = '' } = {}) {
    this.canvas = canvas;
    this.mark = mark;
    this.unit = unit;
    this.losses = [];
  }

  push(losses) {
    for (const loss of losses) this.losses.push(loss);
    if (this.losses.length) Object.assign(this.canvas.dataset, { first: this.losses[0], last: this.losses[this.losses.length - 1] });
    this.draw();
  }

  clear() {
    this.losses = [];
    delete this.canvas.dataset.first;
    delete this.canvas.dataset.last;
    this.draw();
  }

  draw() {
    const { canvas, losses } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 400;
    const height = canvas.clientHeight || 140;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const left = 34, right = 8, top = 8, bottom = 18;
    const top0 = Math.max(1, ...(this.mark === null ? [] : [this.mark * 1.2]), ...losses.slice(0, 50));
    const yMax = top0 > 2 ? Math.ceil(top0) : Math.ceil(top0 * 4) / 4;
    const y = (v) => top + (1 - Math.min(v, yMax) / yMax) * (height - top - bottom);
    g.font = '10px system-ui, sans-serif';
    g.fillStyle = '#5b6573';
    g.strokeStyle = '#eceff3';
    g.lineWidth = 1;
    const tick = yMax > 2 ? 1 : 0.25;
    for (let v = 0; v <= yMax + 1e-9; v += tick) {
      g.beginPath();
      g.moveTo(left, y(v));
      g.lineTo(width - right, y(v));
      g.stroke();
      g.fillText(String(+v.toFixed(2)), 4, y(v) + 3);
    }
    g.fillText(`${losses.length} steps${this.unit ? ` · loss in ${this.unit}` : ''}`, left, height - 4);
    if (this.mark !== null) {
      g.setLineDash([4, 4]);
      g.strokeStyle = '#b3261e';
      g.beginPath();
      g.moveTo(left, y(this.mark));
      g.lineTo(width - right, y(this.mark));
      g.stroke();
      g.setLineDash([]);
    }
    if (losses.length === 0) return;
    // One point per pixel column at most: the mean of the steps that fall in it.
    const columns = Math.min(losses.length, Math.floor(width - left - right));
    const x = (i) => left + (columns === 1 ? 0 : (i * (width - left - right)) / (columns - 1));
    const means = [];
    for (let c = 0; c < columns; c++) {
      const from = Math.floor((c * losses.length) / columns);
      const to = Math.max(from + 1, Math.floor(((c + 1) * losses.length) / columns));
      let sum = 0;
      for (let i = from; i < to; i++) sum += losses[i];
      means.push(sum / (to - from));
    }
    const line = (values, style, lineWidth) => {
      g.strokeStyle = style;
      g.lineWidth = lineWidth;
      g.beginPath();
      values.forEach((v, i) => (i ? g.lineTo(x(i), y(v)) : g.moveTo(x(i), y(v))));
      g.stroke();
    };
    line(means, 'rgba(59, 111, 216, 0.35)', 1);
    // A moving average over ~5% of the columns, for the trend.
    const span = Math.max(1, Math.round(columns / 20));
    line(means.map((_, i) => {
      const window = means.slice(Math.max(0, i - span + 1), i + 1);
      return window.reduce((a, b) => a + b, 0) / window.length;
    }), '#3b6fd8', 2);
  }
}
