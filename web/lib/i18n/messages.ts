// Every string the UI shows, in English and Japanese. Keys are checked at compile time:
// the Japanese table must have exactly the English keys.
export const en = {
  'app.tagline': 'Predict, explain and optimize your experiments, in your browser.',
  'app.offlineReady': 'Ready to work offline',
  'compute.label': 'Compute',
  'compute.detecting': 'Detecting compute…',
  'compute.none': 'No working backend',
  'compute.simd': 'WASM SIMD',
  'compute.noSimd': 'no WASM SIMD',
  'compute.isolated': 'cross-origin isolated',
  'compute.details': 'Backends on this device',
  'compute.works': 'works',
  'compute.fails': 'does not work',
  'compute.check': 'Check kernels',
  'compute.checkPassed': 'agree with the reference',
  'compute.checkFailed': 'kernel check failed',
  'compute.worstError': 'worst error / float32 bound:',
  'language.label': 'Language',
  'summary.title': 'Column summary',
  'summary.open': 'Open a table',
  'summary.example': 'Open example',
  'summary.running': 'Summarizing…',
  'summary.column': 'Column',
  'summary.kind': 'Type',
  'summary.count': 'Values',
  'summary.missing': 'Missing',
  'summary.mean': 'Mean',
  'summary.std': 'Std',
  'summary.min': 'Min',
  'summary.max': 'Max',
  'summary.distinct': 'Distinct',
  'summary.rows': 'rows',
  'summary.failed': 'Could not read the table',
  'kind.numeric': 'numeric',
  'kind.categorical': 'categorical',
  'kind.identifier': 'ID',
  'kind.constant': 'constant',
} as const;

export type MessageKey = keyof typeof en;

export const ja: Record<MessageKey, string> = {
  'app.tagline': '実験データの予測・要因解析・最適化をブラウザで。',
  'app.offlineReady': 'オフラインで利用できます',
  'compute.label': '計算',
  'compute.detecting': '計算環境を確認中…',
  'compute.none': '使える計算バックエンドがありません',
  'compute.simd': 'WASM SIMD',
  'compute.noSimd': 'WASM SIMD なし',
  'compute.isolated': 'クロスオリジン分離',
  'compute.details': 'この端末の計算バックエンド',
  'compute.works': '利用可',
  'compute.fails': '利用不可',
  'compute.check': 'カーネルを検査',
  'compute.checkPassed': '参照実装と一致',
  'compute.checkFailed': 'カーネル検査に失敗',
  'compute.worstError': '最大誤差 / float32 誤差上限:',
  'language.label': '言語',
  'summary.title': '列の要約',
  'summary.open': '表を開く',
  'summary.example': 'サンプルを開く',
  'summary.running': '集計中…',
  'summary.column': '列',
  'summary.kind': '型',
  'summary.count': '値の数',
  'summary.missing': '欠損',
  'summary.mean': '平均',
  'summary.std': '標準偏差',
  'summary.min': '最小',
  'summary.max': '最大',
  'summary.distinct': '種類',
  'summary.rows': '行',
  'summary.failed': '表を読み込めませんでした',
  'kind.numeric': '数値',
  'kind.categorical': 'カテゴリ',
  'kind.identifier': 'ID',
  'kind.constant': '定数',
};

export const LOCALES = ['en', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];
export const tables: Record<Locale, Record<MessageKey, string>> = { en, ja };

/** The first of the browser's preferred languages that we speak, else English. */
export function pickLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale;
  }
  return 'en';
}
