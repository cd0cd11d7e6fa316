import { useEffect, useMemo, useRef } from 'react'
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

/** H5: fit the chart to its box (it may have been drawn while the page was still hidden, 0 wide). */
function fitToBox(id: string) {
  if (process.env.TARO_ENV !== 'h5' || typeof document === 'undefined') return
  const el = document.getElementById(id)
  const chart = el ? echarts.getInstanceByDom(el) : undefined
  if (el && chart && el.clientWidth > 0 && Math.abs(chart.getWidth() - el.clientWidth) > 1) chart.resize({ width: el.clientWidth })
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
  // no width: the library would hand '100%' to echarts, which reads it as 100 px; a block takes the row's width
  const style = useMemo(() => ({ height: `${props.height}px` }), [props.height])
  const id = props.id
  useEffect(() => {
    if (process.env.TARO_ENV !== 'h5' || typeof ResizeObserver === 'undefined') return
    const box = document.getElementById(`${id}-box`)
    if (!box) return
    const watch = new ResizeObserver(() => fitToBox(id))
    watch.observe(box)
    return () => watch.disconnect()
  }, [id])
  return (
    <View className='dash-chart' id={`${id}-box`}>
      <Echarts echarts={echarts} option={props.option as never} style={style} onEvents={events} canvasId={id} isPage={false} onChartReady={() => setTimeout(() => fitToBox(id), 0)} />
    </View>
  )
}
