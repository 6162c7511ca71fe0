/**
 * The regional dashboard. It runs only the gateway's persisted operations, by id (the ids come
 * from /dashboard/operations.json, which the gateway writes from its manifest), so it works
 * under the safelist and from the response cache. A province that fails shows as a named banner
 * while the other provinces' figures still draw; the banner goes when the province answers again.
 */

/** A GraphQL answer of the shape its operation decides. */
interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; province?: string } }[];
}
type Named = { name: string } | null;
interface EnergyAnswer {
  region: { provinces: { code: string; name: string; energySummary: { kgcePerCapita: number | null; kgcePerArea: number | null } | null }[] } | null;
}
interface OverviewAnswer {
  vehicleSummary: {
    vehicleCount: number;
    newEnergyShare: number | null;
    confidentialCommunicationCount: number;
    emergencyCount: number;
    lawEnforcementCount: number;
    specialTechnicalCount: number;
    otherCount: number;
  } | null;
  officeSpaceSummary: { buildingCount: number; exceedingCount: number } | null;
  assetSummary: { pooledCount: number; pooledOriginalValue: number } | null;
}
interface PoolAsset {
  id: string;
  name: string;
  categoryCode: string;
  originalValue: number;
  netValue: number;
  province: Named;
  holder: { agencyName: string } | null;
}
interface PoolAnswer {
  assets: { totalCount: number; edges: { node: PoolAsset }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null;
}
interface AssetAnswer {
  asset: (PoolAsset & { acquiredOn: string }) | null;
}
interface TransferQueueAnswer {
  assetTransfers: { edges: { node: { assetId: string; status: string; asset: Named; sourceProvince: Named; targetProvince: Named } }[] } | null;
}
interface BookingQueueAnswer {
  vehicleBookings: { edges: { node: { from: string; to: string; status: string; vehicle: { model: string } | null; agencyProvince: Named } }[] } | null;
}
interface ECharts {
  setOption(option: unknown): void;
  resize(): void;
}
declare const echarts: { init(element: HTMLElement): ECharts };

const params = new URLSearchParams(location.search);
const REFRESH_MS = Math.max(1, Number(params.get('refresh') ?? 30)) * 1000;
const NATIONAL = { kgcePerCapita: 329.56, kgcePerArea: 18.48 };
/** Province names by code, from the directory's regions (filled at start). */
const PROVINCE_NAMES: Record<string, string> = {};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const token = () => sessionStorage.getItem('xietong-token') ?? '';
const yuan = (n: number) => n.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const text = (value: unknown) => document.createTextNode(String(value ?? ''));

let operations: Record<string, string> = {};
/** Provinces that failed in the current refresh round (the banner shows them). */
let failing = new Set<string>();
/** Members of the region that have not joined the gateway (the answers' extensions.missingProvinces). */
let notJoined = new Set<string>();

/** Runs a persisted operation by its id; province failures are collected for the banner. */
async function run<T>(name: string, variables: Record<string, unknown>): Promise<GraphQLAnswer<T>> {
  const id = operations[name];
  if (!id) return { errors: [{ message: `operation ${name} is not in the gateway's manifest` }] };
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token() ? { authorization: `Bearer ${token()}` } : {}) },
    body: JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: id } } }),
  });
  const answer = (await res.json()) as GraphQLAnswer<T> & { extensions?: { missingProvinces?: { code: string }[] } };
  for (const e of answer.errors ?? []) if (e.extensions?.code === 'PROVINCE_UNAVAILABLE' && e.extensions.province) failing.add(e.extensions.province);
  for (const m of answer.extensions?.missingProvinces ?? []) notJoined.add(m.code);
  return answer;
}

function row(cells: (string | number | Node)[], numeric: number[] = []): HTMLTableRowElement {
  const tr = document.createElement('tr');
  cells.forEach((c, i) => {
    const td = document.createElement('td');
    if (numeric.includes(i)) td.className = 'num';
    td.append(c instanceof Node ? c : text(c));
    tr.append(td);
  });
  return tr;
}

const energyChart = echarts.init($('energy-chart'));
const vehicleChart = echarts.init($('vehicle-chart'));
addEventListener('resize', () => (energyChart.resize(), vehicleChart.resize()));

async function drawEnergy(region: string, year: number) {
  const { data } = await run<EnergyAnswer>('DashboardRegionEnergy', { region, year });
  const provinces = (data?.region?.provinces ?? []).filter((p) => p.energySummary).sort((a, b) => (b.energySummary!.kgcePerCapita ?? 0) - (a.energySummary!.kgcePerCapita ?? 0));
  const body = $('energy-table').querySelector('tbody')!;
  body.replaceChildren(...provinces.map((p) => row([p.name, p.energySummary!.kgcePerCapita?.toFixed(2) ?? '–', p.energySummary!.kgcePerArea?.toFixed(2) ?? '–'], [1, 2])));
  energyChart.setOption({
    tooltip: { trigger: 'axis' },
    legend: { data: ['kgce/人', 'kgce/m²'] },
    xAxis: { type: 'category', data: provinces.map((p) => p.name) },
    // Each axis reaches past the national average, so its reference line is always on the chart.
    yAxis: [
      { type: 'value', name: 'kgce/人', max: (v: { max: number }) => Math.ceil(Math.max(v.max, NATIONAL.kgcePerCapita) * 1.1) },
      { type: 'value', name: 'kgce/m²', max: (v: { max: number }) => Math.ceil(Math.max(v.max, NATIONAL.kgcePerArea) * 1.1) },
    ],
    series: [
      {
        name: 'kgce/人',
        type: 'bar',
        data: provinces.map((p) => p.energySummary!.kgcePerCapita),
        markLine: { data: [{ yAxis: NATIONAL.kgcePerCapita, name: '全国平均' }], label: { formatter: '全国人均 {c}', position: 'insideStartTop' } },
      },
      {
        name: 'kgce/m²',
        type: 'bar',
        yAxisIndex: 1,
        data: provinces.map((p) => p.energySummary!.kgcePerArea),
        markLine: { data: [{ yAxis: NATIONAL.kgcePerArea, name: '全国平均' }], label: { formatter: '全国单位面积 {c}', position: 'insideEndBottom' } },
      },
    ],
  });
}

async function drawOverview(region: string) {
  const { data } = await run<OverviewAnswer>('DashboardRegionOverview', { region });
  const figure = (name: string, value: string) => ($('overview').querySelector(`[data-figure="${name}"]`)!.textContent = value);
  const v = data?.vehicleSummary;
  const o = data?.officeSpaceSummary;
  const a = data?.assetSummary;
  figure('vehicleCount', v ? String(v.vehicleCount) : '–');
  figure('newEnergyShare', v?.newEnergyShare != null ? `${(v.newEnergyShare * 100).toFixed(1)}%` : '–');
  figure('exceeding', o ? `${o.exceedingCount} / ${o.buildingCount}` : '–');
  figure('pool', a ? `${a.pooledCount} 件 / ${yuan(a.pooledOriginalValue)} 元` : '–');
  if (v) {
    vehicleChart.setOption({
      tooltip: { trigger: 'item' },
      series: [
        {
          type: 'pie',
          radius: ['40%', '70%'],
          data: [
            { name: '机要通信', value: v.confidentialCommunicationCount },
            { name: '应急保障', value: v.emergencyCount },
            { name: '执法执勤', value: v.lawEnforcementCount },
            { name: '特种专业技术', value: v.specialTechnicalCount },
            { name: '其他', value: v.otherCount },
          ],
        },
      ],
    });
  }
}

const pool = { after: null as string | null, category: '', minValue: null as number | null };
async function drawPool(region: string) {
  const { data } = await run<PoolAnswer>('DashboardPoolPage', { region, category: pool.category || null, minValue: pool.minValue, after: pool.after });
  const page = data?.assets;
  $('pool-count').textContent = page ? `共 ${page.totalCount} 件` : '';
  const body = $('pool-table').querySelector('tbody')!;
  body.replaceChildren(
    ...(page?.edges ?? []).map(({ node: n }) => {
      const link = document.createElement('a');
      link.textContent = n.name;
      link.dataset.asset = n.id;
      link.addEventListener('click', () => void showAsset(n.id));
      return row([link, n.categoryCode, yuan(n.originalValue), yuan(n.netValue), n.province?.name ?? '', n.holder?.agencyName ?? ''], [2, 3]);
    }),
  );
  ($('pool-next') as HTMLButtonElement).disabled = !page?.pageInfo?.hasNextPage;
  ($('pool-next') as HTMLButtonElement).onclick = () => {
    pool.after = page?.pageInfo?.endCursor ?? null;
    void drawPool(region);
  };
}

async function showAsset(id: string) {
  const { data, errors } = await run<AssetAnswer>('DashboardAsset', { id });
  const box = $('asset-detail');
  box.hidden = false;
  const a = data?.asset;
  box.textContent = a
    ? `${a.id} ${a.name}｜${a.categoryCode}｜原值 ${yuan(a.originalValue)} 元｜净值 ${yuan(a.netValue)} 元｜购置 ${a.acquiredOn}｜${a.province?.name ?? ''} ${a.holder?.agencyName ?? ''}`
    : (errors?.[0]?.message ?? '无权查看此资产');
}

async function drawQueues(region: string) {
  const [transfers, bookings] = await Promise.all([run<TransferQueueAnswer>('SharingTransferQueue', { region }), run<BookingQueueAnswer>('SharingBookingQueue', { region })]);
  $('transfer-table')
    .querySelector('tbody')!
    .replaceChildren(
      ...(transfers.data?.assetTransfers?.edges ?? []).map(({ node: t }) =>
        row([t.asset?.name ?? t.assetId, t.sourceProvince?.name ?? '', t.targetProvince?.name ?? '', t.status]),
      ),
    );
  $('booking-table')
    .querySelector('tbody')!
    .replaceChildren(
      ...(bookings.data?.vehicleBookings?.edges ?? []).map(({ node: b }) =>
        row([b.vehicle?.model ?? '', `${b.from.slice(0, 16)}–${b.to.slice(11, 16)}`, b.agencyProvince?.name ?? '', b.status]),
      ),
    );
}

/** Each province's last answer as the gateway saw it (its /health), for the status panel. */
async function drawStatus() {
  const health = (await (await fetch('/health')).json()) as { provinceStatus?: { code: string; up: boolean | null; answerMs: number | null; lastChangeAt: string | null }[] };
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleTimeString('zh-CN') : '–');
  $('status-table')
    .querySelector('tbody')!
    .replaceChildren(
      ...(health.provinceStatus ?? []).map((p) => {
        const tr = row([PROVINCE_NAMES[p.code] ?? p.code, p.up === null ? '未访问' : p.up ? '正常' : '不可用', p.answerMs ?? '–', when(p.lastChangeAt)], [2]);
        tr.dataset.province = p.code;
        tr.dataset.up = String(p.up);
        return tr;
      }),
    );
}

function showBanner() {
  const banner = $('banner');
  const names = (codes: Set<string>) =>
    [...codes]
      .sort()
      .map((c) => `${PROVINCE_NAMES[c] ?? c} (${c})`)
      .join('、');
  const lines = [
    ...(failing.size ? [`以下省份暂时无法访问，图表未计入其数据：${names(failing)}`] : []),
    ...(notJoined.size ? [`以下成员省份尚未接入，区域数字不含其数据：${names(notJoined)}`] : []),
  ];
  banner.hidden = lines.length === 0;
  banner.textContent = lines.join('；');
}

async function refresh() {
  const region = ($('region') as HTMLSelectElement).value;
  const year = Number(($('year') as HTMLSelectElement).value);
  failing = new Set();
  notJoined = new Set();
  await Promise.all([drawEnergy(region, year), drawOverview(region), drawPool(region), drawQueues(region)]).catch((e: unknown) => console.error(e));
  await drawStatus().catch((e: unknown) => console.error(e));
  showBanner();
  $('updated').textContent = `更新于 ${new Date().toLocaleTimeString('zh-CN')}`;
  document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed ?? 0) + 1);
}

function describe() {
  const t = token();
  if (!t) return;
  try {
    const claims = JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    $('who').textContent = `${claims.sub}（${claims.role}）`;
  } catch {
    $('who').textContent = '已设置令牌';
  }
}

$('signin').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('xietong-token', ($('token') as HTMLInputElement).value.trim());
  ($('token') as HTMLInputElement).value = '';
  describe();
  void refresh();
});
$('pool-filter').addEventListener('submit', (event) => {
  event.preventDefault();
  pool.category = ($('category') as HTMLInputElement).value.trim();
  const min = ($('min-value') as HTMLInputElement).value;
  pool.minValue = min === '' ? null : Number(min);
  pool.after = null;
  void refresh();
});
$('pool-first').addEventListener('click', () => {
  pool.after = null;
  void refresh();
});
for (const id of ['region', 'year']) $(id).addEventListener('change', () => ((pool.after = null), void refresh()));

/** The region picker, from the directory: a region added there appears here without a new page. */
async function loadRegions() {
  const { data } = await run<{ regions: { code: string; name: string; provinces: { code: string; name: string }[] }[] }>('DashboardRegions', {});
  const select = $('region') as HTMLSelectElement;
  const chosen = select.value;
  select.replaceChildren(
    ...(data?.regions ?? []).map((r) => {
      for (const p of r.provinces) PROVINCE_NAMES[p.code] = p.name;
      const option = document.createElement('option');
      option.value = r.code;
      option.textContent = r.name;
      return option;
    }),
  );
  if (chosen && Array.from(select.options).some((o) => o.value === chosen)) select.value = chosen;
}

operations = (await (await fetch('/dashboard/operations.json')).json()) as Record<string, string>;
await loadRegions();
describe();
await refresh();
setInterval(() => void refresh(), REFRESH_MS);

export {};
