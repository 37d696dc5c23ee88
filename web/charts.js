// Charts as SVG drawn here (no library), each with its figures as a table beside it, so that
// the numbers are there for a screen reader and for copying.
import { h } from "./platform.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, text = null) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (text !== null) element.textContent = text;
  return element;
}

const number = new Intl.NumberFormat("ja-JP");

// A count under the disclosure threshold comes as null: shown as "–", never as a number.
function shown(value) {
  return value === null || value === undefined ? "–" : number.format(value);
}

function table(headers, rows) {
  return h(
    "details",
    {},
    h("summary", {}, "表で見る"),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, headers.map((text, i) => h("th", { class: i ? "number" : "" }, text)))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h("tr", {}, row.map((cell, i) => h("td", { class: i ? "number" : "" }, i ? shown(cell) : cell))),
        ),
      ),
    ),
  );
}

function canvas(title, width, height) {
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": title });
}

// A chart with its title, or a word that there is nothing yet, and its table.
function chart(title, rows, picture, tableOf) {
  return h(
    "figure",
    { class: "chart" },
    h("figcaption", {}, h("h3", {}, title)),
    rows.length ? picture : h("p", {}, "まだデータがありません。"),
    tableOf,
  );
}

// Horizontal bars, one a row: [{label, value}].
export function bars(title, rows) {
  const width = 340;
  const left = 110;
  const rowHeight = 22;
  const height = Math.max(rows.length, 1) * rowHeight + 10;
  const most = Math.max(1, ...rows.map((row) => row.value ?? 0));
  const picture = canvas(title, width, height);
  rows.forEach((row, i) => {
    const y = i * rowHeight + 5;
    const length = ((row.value ?? 0) / most) * (width - left - 60);
    picture.append(
      svg("text", { x: left - 6, y: y + 15, "text-anchor": "end" }, row.label),
      svg("rect", { class: "bar", x: left, y: y + 3, width: Math.max(length, 1), height: rowHeight - 6 }),
      svg("text", { x: left + length + 4, y: y + 15 }, shown(row.value)),
    );
  });
  return chart(title, rows, picture, table(["", "人数"], rows.map((row) => [row.label, row.value])));
}

// Columns by month, two series side by side: [{month, first, second}].
export function monthly(title, rows, firstName, secondName) {
  const width = 340;
  const height = 190;
  const bottom = 150;
  // A few months are drawn as narrow as many: a single month is no wall.
  const slot = Math.min((width - 20) / Math.max(rows.length, 1), 40);
  const most = Math.max(1, ...rows.flatMap((row) => [row.first ?? 0, row.second ?? 0]));
  const picture = canvas(title, width, height);
  rows.forEach((row, i) => {
    const x = 10 + i * slot;
    const barWidth = Math.max((slot - 6) / 2, 1);
    for (const [value, second] of [
      [row.first, false],
      [row.second, true],
    ]) {
      const tall = ((value ?? 0) / most) * (bottom - 20);
      picture.append(
        svg("rect", {
          class: second ? "bar second" : "bar",
          x: x + (second ? barWidth : 0),
          y: bottom - tall,
          width: barWidth,
          height: Math.max(tall, 0.5),
        }),
      );
    }
    picture.append(
      svg("text", { x: x + slot / 2 - 3, y: bottom + 15, "text-anchor": "middle" }, `${Number(row.month.slice(5))}月`),
    );
  });
  picture.append(
    svg("rect", { class: "bar", x: 10, y: 174, width: 10, height: 10 }),
    svg("text", { x: 24, y: 183 }, firstName),
    svg("rect", { class: "bar second", x: 150, y: 174, width: 10, height: 10 }),
    svg("text", { x: 164, y: 183 }, secondName),
  );
  return chart(
    title,
    rows,
    picture,
    table(["月", firstName, secondName], rows.map((row) => [row.month, row.first, row.second])),
  );
}
