// The dashboard's charts, drawn on the server as SVG (Apache ECharts' server-side rendering): readable without
// JavaScript, printed as they are seen. Each chart is one function of the figures; the same figures are in the tables.
import * as echarts from 'echarts';
import { vnDateOfDay } from '../../domain/vn-time.js';
import type { Overview } from './overview.js';

const FONT = { fontFamily: 'DejaVu Sans, Arial, sans-serif', fontSize: 12 };
const COLORS = { received: '#1f5fa8', completed: '#2e7d32', onTime: '#2e7d32', late: '#c62828', inProgress: '#f9a825', returned: '#6d4c41', cancelled: '#757575' };

function svg(width: number, height: number, option: echarts.EChartsCoreOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: FONT, ...option });
    return withoutInlineStyle(chart.renderToSVGString());
  } finally { chart.dispose(); }
}

/**
 * The page's Content Security Policy allows no inline style (style-src 'self'), and ECharts writes text fonts as
 * style attributes and hover rules in a <style> element. Fonts become the SVG presentation attributes they are
 * (font-size, font-family, ...); the hover rules mean nothing on a static chart and go.
 */
export function withoutInlineStyle(svgText: string): string {
  return svgText
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '')
    .replace(/ style="([^"]*)"/g, (_, css: string) => css.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const i = d.indexOf(':');
      const name = d.slice(0, i).trim();
      const value = d.slice(i + 1).trim();
      return /^[a-z-]+$/.test(name) ? ` ${name}="${value.replace(/"/g, '&quot;')}"` : '';
    }).join(''));
}

/** Received and completed per day, late ones marked. */
export function byDayChart(o: Overview): string {
  return svg(720, 280, {
    title: { text: 'Hồ sơ theo ngày', left: 'center', textStyle: { ...FONT, fontSize: 14 } },
    legend: { bottom: 0, textStyle: FONT },
    grid: { left: 44, right: 16, top: 40, bottom: 56 },
    xAxis: { type: 'category', data: o.byDay.map((d) => vnDateOfDay(d.day).slice(0, 5)), axisLabel: FONT },
    yAxis: { type: 'value', minInterval: 1, axisLabel: FONT },
    series: [
      { name: 'Tiếp nhận', type: 'bar', data: o.byDay.map((d) => d.received), itemStyle: { color: COLORS.received } },
      { name: 'Hoàn thành', type: 'bar', data: o.byDay.map((d) => d.completed), itemStyle: { color: COLORS.completed } },
      { name: 'Hoàn thành quá hạn', type: 'bar', data: o.byDay.map((d) => d.late), itemStyle: { color: COLORS.late } },
    ],
  });
}

/** Where the dossiers received stand: a pie of the statuses, on time and late apart. */
export function statusChart(o: Overview): string {
  const slices = [
    { name: 'Đang xử lý', value: o.inProgress, itemStyle: { color: COLORS.inProgress } },
    { name: 'Hoàn thành đúng hạn', value: o.onTime, itemStyle: { color: COLORS.onTime } },
    { name: 'Hoàn thành quá hạn', value: o.late, itemStyle: { color: COLORS.late } },
    { name: 'Bị trả lại', value: o.returned, itemStyle: { color: COLORS.returned } },
    { name: 'Đã hủy', value: o.cancelled, itemStyle: { color: COLORS.cancelled } },
  ].filter((s) => s.value > 0);
  // The names in a legend beside the pie, the counts on it: labels around a small pie would be cut short ("Hoàn thà…").
  return svg(460, 280, {
    title: { text: 'Tình trạng hồ sơ', left: 'center', textStyle: { ...FONT, fontSize: 14 } },
    legend: { orient: 'vertical', right: 8, top: 'middle', textStyle: FONT },
    series: [{ type: 'pie', radius: ['35%', '62%'], center: ['30%', '55%'], data: slices.length ? slices : [{ name: 'Chưa có hồ sơ', value: 0, itemStyle: { color: '#e0e0e0' } }],
      label: { ...FONT, formatter: '{c}' } }],
  });
}

/** Per agency of the subtree: on time, late, in progress, overdue now (stacked, one bar per agency). */
export function byAgencyChart(o: Overview): string {
  const rows = o.byAgency.filter((a) => a.received || a.overdueNow);
  const height = Math.max(160, 60 + rows.length * 28);
  return svg(720, height, {
    title: { text: 'Theo cơ quan, đơn vị', left: 'center', textStyle: { ...FONT, fontSize: 14 } },
    legend: { bottom: 0, textStyle: FONT },
    grid: { left: 220, right: 24, top: 36, bottom: 44 },
    yAxis: { type: 'category', inverse: true, data: rows.map((a) => (a.name.length > 34 ? `${a.name.slice(0, 33)}…` : a.name)), axisLabel: FONT },
    xAxis: { type: 'value', minInterval: 1, axisLabel: FONT },
    series: [
      { name: 'Đúng hạn', type: 'bar', stack: 'x', data: rows.map((a) => a.onTime), itemStyle: { color: COLORS.onTime } },
      { name: 'Quá hạn', type: 'bar', stack: 'x', data: rows.map((a) => a.late), itemStyle: { color: COLORS.late } },
      { name: 'Đang xử lý', type: 'bar', stack: 'x', data: rows.map((a) => a.inProgress), itemStyle: { color: COLORS.inProgress } },
      { name: 'Quá hạn chưa xử lý', type: 'bar', data: rows.map((a) => a.overdueNow), itemStyle: { color: '#8e0000' } },
    ],
  });
}
