// The one module that loads ECharts: echarts/core with only the chart types and components the
// workbench draws (tree-shaking keeps the rest out), and the canvas renderer, whose pixels are
// also the PNG export. Chart components import this module dynamically, so screens without a
// chart never download it.
import { init, use } from 'echarts/core';
import { BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapContinuousComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, VisualMapContinuousComponent, CanvasRenderer]);

export { init };
