// The one module that loads ECharts: echarts/core with only the chart types and components the
// workbench draws (tree-shaking keeps the rest out) and the canvas renderer. Only the chart
// worker imports it, so ECharts never loads on the first screen nor runs on the main thread.
import { init, setPlatformAPI, use } from 'echarts/core';
import { BarChart, CustomChart, HeatmapChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, ParallelComponent, VisualMapContinuousComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([
  BarChart,
  CustomChart,
  HeatmapChart,
  LineChart,
  ParallelChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  ParallelComponent,
  VisualMapContinuousComponent,
  CanvasRenderer,
]);
// A worker has no document: ECharts measures text on an OffscreenCanvas instead.
setPlatformAPI({ createCanvas: () => new OffscreenCanvas(1, 1) as unknown as HTMLCanvasElement });

export { init };
