// The municipal dashboard: for staff of one place, its figures, its live events (resumed after
// a reload from the last one seen), the activities waiting for review, and the place's notices,
// premium policy and support measures; prefecture staff switch between their municipalities;
// analysts see the nation's figures.
import { bars, monthly } from "./charts.js";
import {
  Session,
  activityWords,
  call,
  checkboxes,
  checked,
  day,
  eventWords,
  explain,
  h,
  interestWords,
  noticeWords,
  options,
  relationshipWords,
  signInPage,
  subscribe,
  tell,
  tierWords,
  todayInJapan,
  when,
} from "./platform.js";

const session = new Session("furusato.dashboard.token");
const $ = (id) => document.getElementById(id);
const messages = $("messages");
const number = new Intl.NumberFormat("ja-JP");
const EVENTS_KEPT = 50;

const AGE_BANDS = {
  UNDER_20: "20歳未満",
  "20S": "20代",
  "30S": "30代",
  "40S": "40代",
  "50S": "50代",
  "60S": "60代",
  "70_AND_OVER": "70歳以上",
  UNKNOWN: "不明",
};

// The place shown now, and what stops its event stream.
let place = null;
let stopEvents = null;
let registrantsAfter = [];
// Prefectures' names by code (the master data), for the figures of home prefectures.
let prefectureNames = {};

function shown(value) {
  return value === null || value === undefined ? "–" : number.format(value);
}

function signedOut() {
  if (stopEvents) stopEvents();
  stopEvents = null;
  place = null;
  for (const id of ["figures", "charts", "events", "queue", "registrants", "national", "switch"])
    $(id).replaceChildren();
  $("sign-in").hidden = false;
  $("place-view").hidden = true;
  $("national-view").hidden = true;
  $("sign-out").hidden = true;
}

const attempt = signInPage(session, messages, { start: () => start(), signedOut });

function counts(list, label) {
  return list.map(({ key, count }) => ({ label: label(key), value: count }));
}

function figure(label, value) {
  return h("div", { class: "figure" }, h("div", {}, label), h("div", { class: "value" }, value));
}

// ------------------------------------------------------------------------------ figures

async function loadFigures() {
  const code = place;
  const data = await attempt(() => call(session, "MunicipalityDashboard", { code }));
  // What comes back for a place no longer shown is dropped.
  if (!data || !data.municipality || place !== code) return null;
  const municipality = data.municipality;
  const stats = municipality.stats;
  $("title").textContent = `${municipality.name} ダッシュボード`;
  $("figures").replaceChildren(
    h(
      "div",
      { class: "figures" },
      figure("登録者", shown(stats.registrants)),
      figure("基本登録", shown(stats.basic)),
      figure("プレミアム登録", shown(stats.premium)),
      figure("直近30日の新規", shown(stats.newLast30Days)),
      figure(
        "プレミアム転換率",
        stats.premiumConversionRate === null ? "–" : `${(stats.premiumConversionRate * 100).toFixed(1)}%`,
      ),
    ),
  );
  $("charts").replaceChildren(
    bars("登録者の関わり", counts(stats.byRelationship, (key) => relationshipWords[key] ?? key)),
    monthly(
      "月ごとの登録と取消",
      stats.monthly.map((m) => ({ month: m.month, first: m.registrations, second: m.withdrawals })),
      "登録",
      "取消",
    ),
    monthly(
      "月ごとのプレミアム登録と確認済み活動",
      stats.monthly.map((m) => ({ month: m.month, first: m.premiumGrants, second: m.verifiedActivities })),
      "プレミアム登録",
      "確認済み活動",
    ),
    bars(
      "お住まいの都道府県",
      counts(stats.byHomePrefecture, (key) => prefectureNames[key] ?? "不明"),
    ),
    bars("年代", counts(stats.byAgeBand, (key) => AGE_BANDS[key] ?? key)),
    bars("関心のあること", counts(stats.byInterest, (key) => interestWords[key] ?? key)),
  );
  return municipality;
}

// A burst of events refreshes the figures once.
let refreshSoon = null;
function refreshFigures() {
  clearTimeout(refreshSoon);
  refreshSoon = setTimeout(loadFigures, 1500);
}

// ------------------------------------------------------------------------------- events

function eventsKey(code) {
  return `furusato.dashboard.events.${code}`;
}

function storedEvents(code) {
  try {
    return JSON.parse(localStorage.getItem(eventsKey(code))) ?? { cursor: null, items: [] };
  } catch {
    return { cursor: null, items: [] };
  }
}

function eventItem(event, fresh) {
  return h(
    "li",
    { class: fresh ? "new" : "", "data-cursor": event.cursor },
    h("time", { datetime: event.occurredAt }, when(event.occurredAt)),
    h(
      "span",
      {},
      eventWords[event.type] ?? event.type,
      event.tier ? h("span", { class: "badge muted" }, tierWords[event.tier]) : null,
    ),
  );
}

function followEvents(code) {
  const kept = storedEvents(code);
  $("events").replaceChildren(...kept.items.map((event) => eventItem(event, false)));
  stopEvents = subscribe(
    session,
    "MunicipalEvents",
    // After a reload or a lost connection, the stream replays from the last event seen.
    () => ({ code, after: storedEvents(code).cursor }),
    (data) => {
      const event = data.municipalEvents;
      const state = storedEvents(code);
      state.cursor = event.cursor;
      state.items = [event, ...state.items].slice(0, EVENTS_KEPT);
      localStorage.setItem(eventsKey(code), JSON.stringify(state));
      $("events").prepend(eventItem(event, true));
      while ($("events").children.length > EVENTS_KEPT) $("events").lastChild.remove();
      if (event.type === "ACTIVITY_RECORDED" || event.type === "ACTIVITY_REVIEWED") loadQueue();
      refreshFigures();
    },
    (state, detail, why) => {
      const labels = { live: "● ライブ", reconnecting: "再接続中…", error: detail ?? "" };
      $("events-state").textContent = labels[state] ?? "";
      // A kept cursor the platform does not know (its data reset): start again from now.
      if (why === "BAD_USER_INPUT" && storedEvents(code).cursor !== null) {
        localStorage.removeItem(eventsKey(code));
        stopEvents();
        followEvents(code);
      }
    },
  );
}

// -------------------------------------------------------------------------------- queue

async function loadQueue() {
  const code = place;
  const data = await attempt(() => call(session, "PendingActivities", { code, first: 50 }));
  if (!data?.municipality?.activities || place !== code) return;
  const page = data.municipality.activities;
  $("queue-count").textContent = `${number.format(page.totalCount)}件`;
  $("queue").replaceChildren(
    ...(page.edges.length
      ? page.edges.map(({ node }) => queueItem(node))
      : [h("li", {}, "確認待ちの活動はありません。")]),
  );
}

function queueItem(activity) {
  const noteId = `note-${activity.id}`;
  const who = activity.resident?.displayName || "(名前未設定)";
  const item = h(
    "li",
    { "data-id": activity.id },
    h(
      "p",
      {},
      h("strong", {}, who),
      ` ${activityWords[activity.kind]} · ${day(activity.occurredOn)} · ${activity.hours}時間`,
    ),
    activity.description ? h("p", { class: "help" }, activity.description) : null,
    h("label", { for: noteId }, "メモ(任意)"),
    h("input", { id: noteId, name: "note" }),
  );
  const review = async (approve) => {
    const input = { activityId: activity.id, approve, note: item.querySelector("input").value || null };
    const data = await attempt(() => call(session, "ReviewActivity", { input }));
    if (!data) return;
    const { errors } = data.reviewActivity;
    if (errors.length) tell(messages, explain(errors).join(" "), "error");
    else tell(messages, approve ? "活動を確認しました。" : "活動を差し戻しました。");
    await loadQueue();
  };
  item.append(
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", "aria-label": `${who}の活動を確認する`, onclick: () => review(true) }, "確認する"),
      h(
        "button",
        { type: "button", class: "danger", "aria-label": `${who}の活動を認めない`, onclick: () => review(false) },
        "認めない",
      ),
    ),
  );
  return item;
}

// ---------------------------------------------------------------------------- registrants

async function loadRegistrants(after = null) {
  const code = place;
  const data = await attempt(() => call(session, "Registrants", { code, first: 20, after }));
  if (!data?.municipality?.registrations || place !== code) return;
  const page = data.municipality.registrations;
  const next = h("button", { type: "button", class: "secondary" }, "次の20件");
  next.hidden = !page.pageInfo.hasNextPage;
  next.addEventListener("click", () => {
    registrantsAfter.push(after);
    loadRegistrants(page.pageInfo.endCursor);
  });
  const previous = h("button", { type: "button", class: "secondary" }, "前の20件");
  previous.hidden = registrantsAfter.length === 0;
  previous.addEventListener("click", () => loadRegistrants(registrantsAfter.pop()));
  $("registrants").replaceChildren(
    h("p", {}, `${number.format(page.totalCount)}件`),
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h("tr", {}, ["お名前", "区分", "関わり", "お住まい", "登録日"].map((t) => h("th", {}, t))),
      ),
      h(
        "tbody",
        {},
        page.edges.map(({ node }) =>
          h(
            "tr",
            {},
            h("td", {}, node.resident?.displayName || "–"),
            h("td", {}, tierWords[node.tier]),
            h("td", {}, relationshipWords[node.relationship]),
            h("td", {}, node.resident?.homeMunicipality?.name ?? "–"),
            h("td", {}, day(node.registeredAt)),
          ),
        ),
      ),
    ),
    h("div", { class: "actions" }, previous, next),
  );
}

// ----------------------------------------------------------------------- managing a place

function outcome(errors, done) {
  if (errors.length) tell(messages, explain(errors).join(" "), "error");
  else tell(messages, done);
}

function noticeForm() {
  const form = h(
    "form",
    { id: "notice-form" },
    h("label", { for: "notice-kind" }, "種類"),
    h("select", { id: "notice-kind", name: "kind" }, options(noticeWords, "NEWS")),
    h("label", { for: "notice-title-input" }, "タイトル"),
    h("input", { id: "notice-title-input", name: "title", required: true, maxlength: "200" }),
    h("label", { for: "notice-body" }, "本文"),
    h("textarea", { id: "notice-body", name: "body", rows: 4 }),
    h("label", { for: "notice-audience" }, "対象"),
    h(
      "select",
      { id: "notice-audience", name: "audience" },
      options({ ALL: "すべての登録者", PREMIUM: "プレミアム登録者のみ" }, "ALL"),
    ),
    h(
      "details",
      {},
      h("summary", {}, "関心のあること(未選択ならすべて)"),
      checkboxes("interests", interestWords, "関心のあること", { hideLegend: true }),
    ),
    h("button", { type: "submit" }, "公開する"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = {
      municipalityCode: place,
      kind: form.kind.value,
      title: form.title.value,
      body: form.body.value,
      audience: form.audience.value,
      interests: checked(form, "interests"),
    };
    const data = await attempt(() => call(session, "PublishNotice", { input }));
    if (!data) return;
    outcome(data.publishNotice.errors, "お知らせを公開しました。");
    if (!data.publishNotice.errors.length) form.reset();
  });
  return form;
}

function policyForm(policy) {
  const form = h(
    "form",
    { id: "policy-form" },
    h("label", { for: "policy-required" }, "必要な確認済み活動の回数"),
    h("input", {
      id: "policy-required",
      name: "required",
      type: "number",
      min: "1",
      value: policy.requiredActivities,
    }),
    h("label", { for: "policy-window" }, "数える期間(日)"),
    h("input", { id: "policy-window", name: "window", type: "number", min: "30", value: policy.windowDays }),
    checkboxes("kinds", activityWords, "数える活動の種類", { checked: policy.eligibleActivityKinds }),
    h("button", { type: "submit" }, "条件を保存"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = {
      municipalityCode: place,
      requiredActivities: Number(form.required.value),
      windowDays: Number(form.window.value),
      eligibleActivityKinds: checked(form, "kinds"),
    };
    const data = await attempt(() => call(session, "SetPremiumPolicy", { input }));
    if (!data) return;
    outcome(data.setPremiumPolicy.errors, "プレミアム登録の条件を保存しました。");
  });
  return form;
}

function measureForm() {
  const today = todayInJapan();
  const form = h(
    "form",
    { id: "measure-form" },
    h("label", { for: "measure-title-input" }, "名称"),
    h("input", { id: "measure-title-input", name: "title", required: true }),
    h("label", { for: "measure-description" }, "内容"),
    h("textarea", { id: "measure-description", name: "description", rows: 2 }),
    h("label", { for: "measure-tier" }, "対象"),
    h("select", { id: "measure-tier", name: "tier" }, options(tierWords, "BASIC")),
    h("label", { for: "measure-from" }, "開始日"),
    h("input", { id: "measure-from", name: "from", type: "date", required: true, value: today }),
    h("label", { for: "measure-until" }, "終了日"),
    h("input", { id: "measure-until", name: "until", type: "date", required: true }),
    h("label", { for: "measure-partner" }, "提携事業者のID(自治体自身の支援策なら空欄)"),
    h("input", { id: "measure-partner", name: "partner" }),
    h("button", { type: "submit" }, "登録する"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = {
      municipalityCode: place,
      title: form.title.value,
      description: form.description.value,
      minimumTier: form.tier.value,
      validFrom: form.from.value,
      validUntil: form.until.value,
      partnerId: form.partner.value || null,
    };
    const data = await attempt(() => call(session, "CreateSupportMeasure", { input }));
    if (!data) return;
    outcome(data.createSupportMeasure.errors, "支援策を登録しました。");
    if (!data.createSupportMeasure.errors.length) form.reset();
  });
  return form;
}

// ------------------------------------------------------------------------- places shown

async function placesOf(prefecture) {
  const places = [];
  let after = null;
  do {
    const data = await attempt(() =>
      call(session, "FindMunicipalities", { prefectureCode: prefecture, first: 100, after }),
    );
    if (!data) break;
    places.push(...data.municipalities.edges.map(({ node }) => node));
    after = data.municipalities.pageInfo.hasNextPage ? data.municipalities.pageInfo.endCursor : null;
  } while (after);
  return places;
}

async function showPlace(code, own) {
  if (stopEvents) stopEvents();
  stopEvents = null;
  place = code;
  registrantsAfter = [];
  const municipality = await loadFigures();
  if (!municipality) return null;
  // Reviews, the policy, notices and measures are each place's own staff's.
  $("manage").hidden = code !== own;
  $("queue").closest("section").hidden = code !== own;
  if (code === own) {
    $("notice").replaceChildren(noticeForm());
    $("policy").replaceChildren(policyForm(municipality.premiumPolicy));
    $("measure").replaceChildren(measureForm());
    loadQueue();
  }
  loadRegistrants();
  followEvents(code);
  return municipality;
}

async function showStaff(own) {
  $("place-view").hidden = false;
  $("switch").replaceChildren();
  prefectureNames = await (await fetch("/web/prefectures.json")).json();
  const home = await showPlace(own, own);
  if (home?.kind !== "PREFECTURE") return;
  const places = (await placesOf(own)).filter((p) => p.code !== own);
  const select = h(
    "select",
    { id: "place-select" },
    h("option", { value: own }, home.name),
    places.map((p) => h("option", { value: p.code }, p.name)),
  );
  select.addEventListener("change", () => showPlace(select.value, own));
  $("switch").append(h("div", {}, h("label", { for: "place-select" }, "表示する自治体"), select));
}

// ---------------------------------------------------------------------------- the nation

async function showNation() {
  $("national-view").hidden = false;
  $("title").textContent = "全国の関係人口";
  const data = await attempt(() => call(session, "NationalOverview"));
  if (!data) return;
  const stats = data.nationalStats;
  const rows = [...stats.byPrefecture].sort((a, b) => a.prefecture.code.localeCompare(b.prefecture.code));
  $("national").replaceChildren(
    h(
      "div",
      { class: "figures" },
      figure("実人数", shown(stats.uniqueResidents)),
      figure("延べ登録数", shown(stats.totalRegistrations)),
      figure("プレミアム登録", shown(stats.premiumRegistrations)),
      figure("参加自治体", shown(stats.participatingMunicipalities)),
    ),
    h("p", { class: "help" }, "個人が特定されないよう、1〜9人の数は「–」で表示しています。"),
    h(
      "div",
      { class: "charts" },
      bars(
        "都道府県ごとの登録数",
        rows.map((row) => ({ label: row.prefecture.name, value: row.registrations })),
      ),
      monthly(
        "月ごとの登録と取消",
        stats.monthly.map((m) => ({ month: m.month, first: m.registrations, second: m.withdrawals })),
        "登録",
        "取消",
      ),
      bars(
        "登録している自治体の数ごとの人数",
        counts(stats.registrationsPerResident, (key) => `${key}か所`),
      ),
    ),
  );
}

// --------------------------------------------------------------------------------- start

async function start() {
  const claims = session.claims;
  if (!claims) {
    $("sign-in").hidden = false;
    return;
  }
  $("sign-in").hidden = true;
  $("sign-out").hidden = false;
  if (claims.role === "analyst") await showNation();
  else if (claims.role === "staff" && claims.municipality) await showStaff(claims.municipality);
  else tell(messages, "このダッシュボードは自治体職員と分析担当のためのものです。", "error");
}

start();
