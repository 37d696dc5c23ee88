// What the resident app and the municipal dashboard share: the signed-in token, the clients'
// persisted operations (contract/operations.graphql, nothing else), GraphQL over HTTP and over
// WebSocket (graphql-transport-ws), and the Japanese words for the platform's codes.

export class Session {
  constructor(key) {
    this.key = key;
  }
  get token() {
    return localStorage.getItem(this.key);
  }
  signIn(token) {
    localStorage.setItem(this.key, token.trim());
  }
  signOut() {
    localStorage.removeItem(this.key);
  }
  // The token's claims, as the page needs them to choose what to show (role, municipality).
  // The server checks the token on every call; the page only reads it.
  get claims() {
    const token = this.token;
    if (!token) return null;
    try {
      const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return null;
    }
  }
}

let documents = null;

// Each operation's persisted documentId and text, as the platform knows them.
async function operations() {
  if (documents === null) {
    const response = await fetch("/web/operations.json");
    documents = await response.json();
  }
  return documents;
}

// An error the page shows: a GraphQL error or a failed request, with its code.
export class CallFailed extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export async function call(session, name, variables = {}) {
  const operation = (await operations())[name];
  const headers = { "Content-Type": "application/json" };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ documentId: operation.documentId, operationName: name, variables }),
    });
  } catch {
    throw new CallFailed("NETWORK", words.NETWORK);
  }
  const body = await response.json().catch(() => null);
  if (body === null) throw new CallFailed("INTERNAL", `${response.status}`);
  if (body.errors && body.errors.length) {
    const code = body.errors[0].extensions?.code ?? "INTERNAL";
    throw new CallFailed(code, words[code] ?? body.errors[0].message);
  }
  return body.data;
}

// How often a live connection is checked, and how long its answer may take: a connection that
// died without closing (a phone asleep, a proxy's idle timeout) is found and made again.
const PING_EVERY_MS = 15000;
const PONG_WITHIN_MS = 10000;

// One subscription over graphql-transport-ws. It connects again, asking `variablesNow()` where
// to take up (a stream's last cursor), when the server goes away (a restart closes with 1012),
// when the stream ends (one that fell behind is told, then completed), and when a ping goes
// unanswered. A refused token or a refused request stops it: trying again would not help.
// onState(state, message, code): "live", "reconnecting" or "error".
export function subscribe(session, name, variablesNow, onData, onState = () => {}) {
  let socket = null;
  let stopped = false;
  let retry = 1000;
  let pending = null; // the next attempt
  let pinging = null;
  let pongDue = null;
  let refused = null; // the code of an error that ends the subscription for good

  const quiet = () => {
    clearInterval(pinging);
    clearTimeout(pongDue);
  };
  const open = async () => {
    const operation = (await operations())[name];
    if (stopped) return;
    refused = null;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
    const current = new WebSocket(url, "graphql-transport-ws");
    socket = current;
    const send = (message) => current.send(JSON.stringify(message));
    current.onopen = () => {
      send({ type: "connection_init", payload: session.token ? { Authorization: `Bearer ${session.token}` } : {} });
    };
    current.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "connection_ack") {
        retry = 1000;
        onState("live");
        send({
          id: "1",
          type: "subscribe",
          payload: { query: operation.text, operationName: name, variables: variablesNow() },
        });
        pinging = setInterval(() => {
          send({ type: "ping" });
          pongDue = setTimeout(() => current.close(1000), PONG_WITHIN_MS);
        }, PING_EVERY_MS);
      } else if (data.type === "pong") {
        clearTimeout(pongDue);
      } else if (data.type === "ping") {
        send({ type: "pong" });
      } else if (data.type === "next" && data.payload.errors) {
        const code = data.payload.errors[0].extensions?.code ?? "INTERNAL";
        if (code !== "FELL_BEHIND") refused = code;
        onState("error", words[code] ?? data.payload.errors[0].message, code);
      } else if (data.type === "next") {
        onData(data.payload.data);
      } else if (data.type === "error") {
        refused = data.payload[0]?.extensions?.code ?? "BAD_USER_INPUT";
        onState("error", words[refused] ?? data.payload[0]?.message ?? "", refused);
      } else if (data.type === "complete") {
        current.close(1000);
      }
    };
    current.onclose = (event) => {
      quiet();
      if (stopped || socket !== current) return;
      if (event.code === 4403 || event.code === 4401) {
        onState("error", words.FORBIDDEN, "FORBIDDEN");
        return;
      }
      if (refused !== null) return;
      onState("reconnecting");
      pending = setTimeout(open, retry);
      retry = Math.min(retry * 2, 30000);
    };
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(pending);
    quiet();
    if (socket) socket.close(1000);
  };
}

// A page's sign-in: the token form and the sign-out button. Returns `attempt`, which runs a
// call and tells its failure; a token the platform refuses signs the page out.
export function signInPage(session, messages, { start, signedOut }) {
  const signOut = () => {
    session.signOut();
    signedOut();
  };
  document.getElementById("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const field = document.getElementById("token");
    session.signIn(field.value);
    field.value = "";
    messages.replaceChildren();
    start();
  });
  document.getElementById("sign-out").addEventListener("click", signOut);
  return async (action) => {
    try {
      return await action();
    } catch (error) {
      tell(messages, error.message, "error");
      if (error.code === "UNAUTHENTICATED") signOut();
      return null;
    }
  };
}

// ----------------------------------------------------------------- the words of the pages

export const words = {
  NETWORK: "サーバーに接続できません。通信環境を確認してください。",
  UNAUTHENTICATED: "サインインが必要です。トークンを確認してください。",
  FORBIDDEN: "この操作を行う権限がありません。",
  BAD_USER_INPUT: "入力内容に誤りがあります。",
  INTERNAL: "システムでエラーが発生しました。時間をおいて再度お試しください。",
  UNAVAILABLE: "ただいまサービスを利用できません。しばらくしてから再度お試しください。",
  IDENTITY_NOT_VERIFIED:
    "マイナンバーカードによる本人確認が済んでいません。本人確認をするとプレミアム登録を申請できます。",
  REQUIREMENTS_NOT_MET: "自治体が確認した担い手活動の回数がまだ足りません。",
  HOME_MUNICIPALITY_UNKNOWN: "プロフィールにお住まいの市区町村を登録してください。",
  HOME_MUNICIPALITY: "お住まいの自治体(都道府県)ではプレミアム登録はできません。",
  PREMIUM_LIMIT_REACHED: "プレミアム登録は同時に登録できる数の上限に達しています。",
  REGISTRATION_NOT_ACTIVE: "この登録は取り消されています。",
  REGISTRATION_NOT_FOUND: "登録が見つかりません。",
  ALREADY_REGISTERED: "この自治体にはすでに登録しています。",
  MUNICIPALITY_NOT_FOUND: "自治体が見つかりません。",
  MUNICIPALITY_NOT_PARTICIPATING: "この自治体はまだふるさと住民登録に参加していません。",
  INVALID_MUNICIPALITY_CODE: "自治体コードが正しくありません。",
  INVALID_HOME_MUNICIPALITY: "お住まいの市区町村のコードが正しくありません。",
  INVALID_DISPLAY_NAME: "お名前を確認してください。",
  INVALID_BIRTH_YEAR: "生まれ年を確認してください。",
  NOT_REGISTERED: "この自治体に登録していません。先に登録してください。",
  FUTURE_DATE: "まだ来ていない日付は入力できません。",
  INVALID_HOURS: "時間数を確認してください。",
  INVALID_DATE: "日付を確認してください。",
  INVALID_DATES: "期間の日付を確認してください。",
  INVALID_TITLE: "タイトルを入力してください。",
  INVALID_POLICY: "プレミアム登録の条件を確認してください。",
  INVALID_PARTNER: "提携事業者のIDを確認してください。",
  ACTIVITY_NOT_FOUND: "活動が見つかりません。",
  ALREADY_REVIEWED: "この活動はすでに確認済みです。",
  TOO_LONG: "入力が長すぎます。",
  FELL_BEHIND: "更新の受信が遅れました。再接続します。",
};

// A payload's errors, in words a person reads.
export function explain(errors) {
  return errors.map((error) => words[error.code] ?? error.message);
}

export const tierWords = { BASIC: "基本登録", PREMIUM: "プレミアム登録" };
export const statusWords = { ACTIVE: "登録中", WITHDRAWN: "取消済み" };
export const certificateStatusWords = {
  VALID: "有効",
  SUPERSEDED: "更新済み",
  REVOKED: "失効",
  EXPIRED: "期限切れ",
};
export const relationshipWords = {
  BIRTHPLACE: "出身地",
  FORMER_RESIDENCE: "以前住んでいた",
  FAMILY: "家族・親族がいる",
  WORK_OR_STUDY: "仕事・学校",
  TOURISM: "観光",
  FURUSATO_NOZEI: "ふるさと納税",
  LOCAL_PRODUCTS: "特産品",
  VOLUNTEERING: "ボランティア",
  TWO_BASE_LIVING: "二地域居住",
  OTHER: "その他",
};
export const interestWords = {
  EVENTS: "イベント",
  LOCAL_ATTRACTIONS: "地域の魅力",
  LOCAL_NEWS: "地域のニュース",
  CONTRIBUTOR_RECRUITMENT: "担い手募集",
  COMMUNITY_BUILDING: "地域づくり",
  HEALTHCARE_AND_CARE: "医療・介護",
  EDUCATION_AND_CHILDCARE: "教育・子育て",
  DIGITAL: "デジタル",
  PUBLICITY: "広報",
  BUSINESS_SUPPORT: "事業支援",
  CONSTRUCTION: "建設",
  INTERNATIONAL_EXCHANGE: "国際交流",
  TRANSPORT: "交通",
  AGRICULTURE_FORESTRY_FISHERY: "農林水産業",
  MIGRATION_AND_HOUSING: "移住・住まい",
  OTHER: "その他",
};
export const activityWords = {
  VOLUNTEERING: "ボランティア",
  EVENT_STAFF: "イベントスタッフ",
  COMMUNITY_MEETING: "地域の会合",
  PRIMARY_INDUSTRY_HELP: "農林漁業の手伝い",
  LOCAL_BUSINESS: "地元事業の支援",
  DISASTER_RECOVERY: "災害復旧",
  EDUCATION_AND_CHILDCARE: "教育・子育て",
  ELDERLY_CARE: "高齢者の支援",
  CULTURAL_PRESERVATION: "文化の保存",
  TWO_BASE_LIVING: "二地域居住",
  OTHER: "その他",
};
export const noticeWords = {
  EVENT: "イベント",
  CONTRIBUTOR_RECRUITMENT: "担い手募集",
  NEWS: "お知らせ",
  SUPPORT: "支援",
};
export const eventWords = {
  REGISTERED: "登録",
  WITHDRAWN: "登録取消",
  PREMIUM_GRANTED: "プレミアム登録",
  PREMIUM_LAPSED: "プレミアム期限切れ",
  ACTIVITY_RECORDED: "活動の報告",
  ACTIVITY_REVIEWED: "活動の確認",
  CERTIFICATE_ISSUED: "登録証の発行",
  CERTIFICATE_REVOKED: "登録証の失効",
  NOTICE_PUBLISHED: "お知らせの公開",
  LIST_IMPORTED: "名簿の取込",
};

// ------------------------------------------------------------------------ building pages

// An element with attributes and children; text is always text (never parsed as HTML).
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function options(wordsOf, selected) {
  return Object.entries(wordsOf).map(([value, label]) =>
    h("option", { value, selected: value === selected }, label),
  );
}

// A group of boxes named by its legend (`hideLegend` when a summary above already says it).
export function checkboxes(name, wordsOf, legend, { checked = [], hideLegend = false } = {}) {
  return h(
    "fieldset",
    { class: "checks" },
    h("legend", { class: hideLegend ? "visually-hidden" : "" }, legend),
    Object.entries(wordsOf).map(([value, label]) =>
      h(
        "label",
        {},
        h("input", { type: "checkbox", name, value, checked: checked.includes(value) }),
        label,
      ),
    ),
  );
}

export function checked(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
}

const dateTime = new Intl.DateTimeFormat("ja-JP", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "Asia/Tokyo",
});
const dateOnly = new Intl.DateTimeFormat("ja-JP", { dateStyle: "medium", timeZone: "Asia/Tokyo" });

export function when(iso) {
  return iso ? dateTime.format(new Date(iso)) : "";
}

export function day(iso) {
  return iso ? dateOnly.format(new Date(iso)) : "";
}

// Today in Japan, as YYYY-MM-DD (the dates the platform takes are Japan's).
export function todayInJapan() {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Tokyo" }).format(new Date());
}

// A message in a live region, so that a screen reader hears it too.
export function tell(region, message, kind = "info") {
  region.replaceChildren(h("p", { class: `message ${kind}` }, message));
}
