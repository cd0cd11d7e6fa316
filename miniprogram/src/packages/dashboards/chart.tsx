import { useMemo, useRef } from 'react'
import { View } from '@tarojs/components'
import Echarts from 'taro-react-echarts'
import * as echarts from 'echarts/core'
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

// Only the charts drawn here, on canvas (weapp has no SVG): the subpackage stays well inside WeChat's 2 MB.
echarts.use([PieChart, BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export interface PickEvent {
  dataIndex: number
  name: string
  seriesIndex: number
}

export interface ChartProps {
  id: string
  option: Record<string, unknown>
  height: number
  /** A tap on a slice, bar or point. */
  onPick?: (event: PickEvent) => void
}

/**
 * One chart (taro-react-echarts: a 2d canvas on weapp, echarts' own element on H5). Charts appear after
 * their data, i.e. after the page's onReady: `isPage={false}` makes them draw when they mount.
 */
export function Chart(props: ChartProps) {
  const pick = useRef(props.onPick)
  pick.current = props.onPick
  // one events object for the chart's life: a new one each render would make it redraw from scratch
  const events = useMemo(() => ({ click: (e: PickEvent) => pick.current?.(e) }), [])
  const style = useMemo(() => ({ height: `${props.height}px`, width: '100%' }), [props.height])
  return (
    <View className='dash-chart' id={`${props.id}-box`}>
      <Echarts echarts={echarts} option={props.option as never} style={style} onEvents={events} canvasId={props.id} isPage={false} />
    </View>
  )
}
