// The resident app: sign in with a token, see every registration with its certificate and
// progress toward premium, find a municipality and register, report an activity, apply for
// premium, withdraw, and read the feed as notices are published.
import {
  Session,
  activityWords,
  call,
  certificateStatusWords,
  checkboxes,
  checked,
  day,
  explain,
  h,
  interestWords,
  noticeWords,
  options,
  relationshipWords,
  signInPage,
  statusWords,
  subscribe,
  tell,
  tierWords,
  todayInJapan,
  when,
} from "./platform.js";

const session = new Session("furusato.app.token");
const $ = (id) => document.getElementById(id);
const messages = $("messages");
let me = null;
let stopFeed = null;

function show(signedIn) {
  $("sign-in").hidden = signedIn;
  $("signed-in").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
}

function signedOut() {
  if (stopFeed) stopFeed();
  stopFeed = null;
  me = null;
  for (const id of ["profile", "registrations", "found", "activity", "feed"]) $(id).replaceChildren();
  show(false);
}

const attempt = signInPage(session, messages, { start: () => start(), signedOut });

// ------------------------------------------------------------------------------ profile

async function loadProfile() {
  const data = await attempt(() => call(session, "MyProfile"));
  if (!data) return;
  me = data.me;
  me.registrations ??= [];
  renderProfile();
  renderRegistrations();
  renderActivityForm();
}

function renderProfile() {
  const home = me.homeMunicipality;
  const form = h(
    "form",
    { id: "profile-form" },
    h("label", { for: "home-code" }, "お住まいの市区町村(自治体コード6桁)"),
    h("input", {
      id: "home-code",
      name: "home",
      inputmode: "numeric",
      pattern: "[0-9]{6}",
      value: home ? home.code : "",
    }),
    h("label", { for: "birth-year" }, "生まれ年"),
    h("input", {
      id: "birth-year",
      name: "birthYear",
      type: "number",
      min: "1900",
      max: "2100",
      value: me.birthYear ?? "",
    }),
    h("button", { type: "submit" }, "プロフィールを保存"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = {};
    if (form.home.value) input.homeMunicipalityCode = form.home.value;
    if (form.birthYear.value) input.birthYear = Number(form.birthYear.value);
    const data = await attempt(() => call(session, "UpdateProfile", { input }));
    if (!data) return;
    const { errors } = data.updateProfile;
    if (errors.length) tell(messages, explain(errors).join(" "), "error");
    else {
      await loadProfile();
      tell(messages, "プロフィールを保存しました。");
    }
  });
  $("profile").replaceChildren(
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "お名前"),
      h("dd", {}, me.displayName || "(未設定)"),
      h("dt", {}, "本人確認"),
      h("dd", {}, me.identityVerified ? "マイナンバーカードで確認済み" : "未確認"),
      h("dt", {}, "お住まい"),
      h("dd", {}, home ? `${home.prefecture.name} ${home.name}` : "(未登録)"),
    ),
    form,
  );
}

// ------------------------------------------------------------------------ registrations

function qrCode(certificate) {
  const figure = h("figure", { class: "qr" });
  // The token's characters are all ASCII: byte mode, error correction M as the server's.
  const code = qrcode(0, "M");
  code.addData(certificate.token);
  code.make();
  figure.innerHTML = code.createSvgTag({
    cellSize: 3,
    // The quiet zone a scanner needs: four modules.
    margin: 12,
    scalable: true,
    title: { text: `登録証 ${certificate.serialNumber} のQRコード`, id: `qr-${certificate.serialNumber}` },
  });
  figure.append(h("figcaption", {}, "提携先ではこのQRコードを見せてください"));
  return figure;
}

function progress(registration) {
  const p = registration.premiumProgress;
  const part = h(
    "div",
    { class: "progress" },
    h(
      "label",
      {},
      `確認済みの担い手活動 ${p.verifiedActivities} / ${p.requiredActivities} 回(過去${p.windowDays}日)`,
      h("progress", { max: p.requiredActivities, value: Math.min(p.verifiedActivities, p.requiredActivities) }),
    ),
  );
  if (registration.tier === "PREMIUM") return part;
  if (p.eligible) part.append(h("p", { class: "eligible" }, "プレミアム登録を申請できます。"));
  else
    part.append(
      h(
        "ul",
        { class: "missing", "aria-label": "プレミアム登録に足りないこと" },
        explain(p.missing.map((code) => ({ code, message: code }))).map((text) => h("li", {}, text)),
      ),
    );
  return part;
}

function registrationCard(registration) {
  const place = registration.municipality;
  const certificate = registration.certificate;
  const active = registration.status === "ACTIVE";
  const card = h(
    "article",
    { class: `card ${registration.tier.toLowerCase()}`, "data-code": place.code },
    h(
      "h3",
      {},
      place.kind === "PREFECTURE" ? place.name : `${place.prefecture.name} ${place.name}`,
      " ",
      h("span", { class: "badge" }, tierWords[registration.tier]),
      active ? null : h("span", { class: "badge muted" }, statusWords[registration.status]),
    ),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "関わり"),
      h("dd", {}, relationshipWords[registration.relationship]),
      h("dt", {}, "登録日"),
      h("dd", {}, day(registration.registeredAt)),
      registration.premiumUntil ? h("dt", {}, "プレミアム有効期限") : null,
      registration.premiumUntil ? h("dd", {}, day(registration.premiumUntil)) : null,
    ),
  );
  if (active) card.append(progress(registration));
  if (certificate) {
    card.append(
      h(
        "div",
        { class: "certificate" },
        h("h4", {}, "登録証"),
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "番号"),
          h("dd", {}, certificate.serialNumber),
          h("dt", {}, "区分"),
          h("dd", {}, tierWords[certificate.tier]),
          h("dt", {}, "状態"),
          h("dd", {}, certificateStatusWords[certificate.status]),
          h("dt", {}, "有効期限"),
          h("dd", {}, certificate.validUntil ? day(certificate.validUntil) : "登録を取り消すまで"),
        ),
        certificate.status === "VALID" ? qrCode(certificate) : null,
      ),
    );
  }
  if (active) {
    const applying =
      registration.tier === "PREMIUM" ? "プレミアム登録を更新する" : "プレミアム登録を申請する";
    const apply = h("button", { type: "button", "aria-label": `${place.name}の${applying}` }, applying);
    apply.addEventListener("click", () => applyForPremium(registration));
    const withdraw = h(
      "button",
      { type: "button", class: "danger", "aria-label": `${place.name}の登録を取り消す` },
      "登録を取り消す",
    );
    withdraw.addEventListener("click", () => withdrawFrom(registration));
    card.append(h("div", { class: "actions" }, apply, withdraw));
  }
  return card;
}

function renderRegistrations() {
  const list = me.registrations;
  $("registrations").replaceChildren(
    ...(list.length ? list.map(registrationCard) : [h("p", {}, "まだどこにも登録していません。")]),
  );
}

async function applyForPremium(registration) {
  const data = await attempt(() =>
    call(session, "ApplyForPremium", { registrationId: registration.id }),
  );
  if (!data) return;
  // The page is drawn again before it says what happened: what it says is then what it shows.
  await loadProfile();
  const { errors } = data.applyForPremium;
  if (errors.length)
    tell(messages, `プレミアム登録はまだできません。${explain(errors).join(" ")}`, "error");
  else tell(messages, `${registration.municipality.name}のプレミアム登録が完了しました。`);
}

async function withdrawFrom(registration) {
  if (!confirm(`${registration.municipality.name}の登録を取り消しますか?登録証は失効します。`)) return;
  const data = await attempt(() => call(session, "Withdraw", { registrationId: registration.id }));
  if (!data) return;
  await loadProfile();
  const { errors } = data.withdraw;
  if (errors.length) tell(messages, explain(errors).join(" "), "error");
  else {
    tell(messages, `${registration.municipality.name}の登録を取り消しました。`);
    followFeed();
  }
}

// ------------------------------------------------------------------------ find, register

async function find(event) {
  event.preventDefault();
  const search = $("search").value.trim();
  const data = await attempt(() =>
    call(session, "FindMunicipalities", { search: search || null, first: 20 }),
  );
  if (!data) return;
  const found = data.municipalities;
  $("found").replaceChildren(
    h("p", {}, `${found.totalCount}件`),
    h("ul", { class: "places" }, found.edges.map(({ node }) => placeItem(node))),
  );
}

function placeItem(place) {
  const name = place.kind === "PREFECTURE" ? place.name : `${place.prefecture.name} ${place.name}`;
  const item = h("li", {}, h("span", { class: "place" }, name, h("small", {}, ` ${place.nameKana}`)));
  if (!place.participating) {
    item.append(h("span", { class: "badge muted" }, "未参加"));
    return item;
  }
  const id = `relationship-${place.code}`;
  const form = h(
    "form",
    { class: "register", "data-code": place.code },
    h("label", { for: id }, "関わり"),
    h("select", { id, name: "relationship" }, options(relationshipWords, "TOURISM")),
    h(
      "details",
      {},
      h("summary", {}, "関心のあること"),
      checkboxes("interests", interestWords, "関心のあること", { hideLegend: true }),
    ),
    h("button", { type: "submit" }, `${place.name}に登録する`),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = {
      municipalityCode: place.code,
      relationship: form.relationship.value,
      interests: checked(form, "interests"),
    };
    const data = await attempt(() => call(session, "Register", { input }));
    if (!data) return;
    await loadProfile();
    const { errors } = data.register;
    if (errors.length) tell(messages, explain(errors).join(" "), "error");
    else {
      tell(messages, `${place.name}に登録しました。登録証を発行しました。`);
      // The live feed covers the places of when it began: begin it again with this one.
      followFeed();
    }
  });
  item.append(form);
  return item;
}

// ---------------------------------------------------------------------------- activities

function renderActivityForm() {
  const places = me.registrations.filter((r) => r.status === "ACTIVE");
  if (!places.length) {
    $("activity").replaceChildren(h("p", {}, "登録している自治体での活動を報告できます。"));
    return;
  }
  const form = h(
    "form",
    { id: "activity-form" },
    h("label", { for: "activity-place" }, "自治体"),
    h(
      "select",
      { id: "activity-place", name: "place" },
      places.map((r) => h("option", { value: r.municipality.code }, r.municipality.name)),
    ),
    h("label", { for: "activity-kind" }, "活動の種類"),
    h("select", { id: "activity-kind", name: "kind" }, options(activityWords, "VOLUNTEERING")),
    h("label", { for: "activity-date" }, "活動した日"),
    h("input", {
      id: "activity-date",
      name: "occurredOn",
      type: "date",
      required: true,
      max: todayInJapan(),
      value: todayInJapan(),
    }),
    h("label", { for: "activity-hours" }, "時間数"),
    h("input", {
      id: "activity-hours",
      name: "hours",
      type: "number",
      min: "0.5",
      step: "0.5",
      required: true,
      value: "2",
    }),
    h("label", { for: "activity-description" }, "内容"),
    h("textarea", { id: "activity-description", name: "description", rows: 2 }),
    h("button", { type: "submit" }, "報告する"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = {
      municipalityCode: form.place.value,
      kind: form.kind.value,
      occurredOn: form.occurredOn.value,
      hours: Number(form.hours.value),
      description: form.description.value,
    };
    const data = await attempt(() => call(session, "RecordActivity", { input }));
    if (!data) return;
    const { errors } = data.recordActivity;
    if (errors.length) tell(messages, explain(errors).join(" "), "error");
    else {
      tell(messages, "活動を報告しました。自治体が確認すると、プレミアム登録の回数に数えられます。");
      form.description.value = "";
    }
  });
  $("activity").replaceChildren(form);
}

// ---------------------------------------------------------------------------------- feed

function noticeItem(notice) {
  return h(
    "li",
    { "data-id": notice.id },
    h(
      "p",
      { class: "meta" },
      h("span", { class: "badge" }, noticeWords[notice.kind]),
      ` ${notice.municipality.name} · `,
      h("time", { datetime: notice.publishedAt }, when(notice.publishedAt)),
    ),
    h("h3", {}, notice.title),
    notice.body ? h("p", {}, notice.body) : null,
  );
}

let feedAfter = null;

async function loadFeed(more = false) {
  const data = await attempt(() =>
    call(session, "MyFeed", { first: 20, after: more ? feedAfter : null }),
  );
  if (!data) return;
  const page = data.myFeed;
  const items = page.edges.map(({ node }) => noticeItem(node));
  if (more) $("feed").append(...items);
  else $("feed").replaceChildren(...items);
  feedAfter = page.pageInfo.endCursor;
  $("feed-more").hidden = !page.pageInfo.hasNextPage;
}

function followFeed() {
  if (stopFeed) stopFeed();
  stopFeed = subscribe(
    session,
    "FeedUpdates",
    () => ({}),
    (data) => {
      const notice = data.feedUpdates;
      if (document.querySelector(`#feed li[data-id="${CSS.escape(notice.id)}"]`)) return;
      $("feed").prepend(noticeItem(notice));
    },
    (state, detail) => {
      const labels = { live: "● ライブ", reconnecting: "再接続中…", error: detail ?? "" };
      $("feed-state").textContent = labels[state] ?? "";
      // Whatever was published before the stream was live is in the feed: read it again.
      if (state === "live") loadFeed();
    },
  );
}

// --------------------------------------------------------------------------------- start

async function start() {
  if (!session.token) {
    show(false);
    return;
  }
  show(true);
  await loadProfile();
  if (!me) return;
  await loadFeed();
  followFeed();
}

$("find-form").addEventListener("submit", find);
$("feed-more").addEventListener("click", () => loadFeed(true));
start();
