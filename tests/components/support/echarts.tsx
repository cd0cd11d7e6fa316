// echarts and taro-react-echarts stand-in: a chart is a box naming its id (jsdom has no canvas).
export default function Echarts(props: { canvasId?: string }) {
  return <div className='chart-stub' data-chart={props.canvasId} />;
}
export const use = () => undefined;
export const getInstanceByDom = () => undefined;
export const PieChart = {};
export const BarChart = {};
export const LineChart = {};
export const GridComponent = {};
export const LegendComponent = {};
export const TooltipComponent = {};
export const CanvasRenderer = {};
