import { useEffect, useState } from 'react'
import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { PAGES, ROLE_LABELS, can, type Action, type PageName, type Role } from '@anchor/shared'
import { getSession } from '../api/session'
import { useTodoCount, badgeText } from '../api/todo-badge'
import { hasPool, refreshTaskCount, useTaskCount } from '../api/task-count'
import { goTo } from '../utils/nav'
import './console-nav.css'

/** Console width: at and above it the H5 app is a web console (navigation beside the content, tables). */
export const CONSOLE_MIN_WIDTH = 1024

export interface ConsoleNavItem {
  page: PageName
  label: string
  /** The label for a role without this right (团队打卡 for a director, who does not check in). */
  labelWithout?: { can: Action; label: string }
  /** The right (shared/src/permissions.ts) a role needs to see the entry (any one of a list); everyone when absent. */
  can?: Action | readonly Action[]
  /** Shows the open to-do count beside the label. */
  todoBadge?: boolean
  /** Shown to roles with a pool, and to others while they have open tasks (approvals) or are on the page. */
  whenTasks?: boolean
  /** Pages reached from this section: the entry stays highlighted on them. */
  within?: readonly PageName[]
}

/**
 * The console's sections, in order: 仪表盘 first for those who read dashboards (what a supervisor or director looks at first).
 */
export const CONSOLE_NAV: readonly ConsoleNavItem[] = [
  { page: 'dashboards', label: '仪表盘', can: ['dashboards.read', 'dashboards.demand.read'], within: ['dashboardDrill'] },
  { page: 'customers', label: '客户', within: ['customer', 'customerEdit', 'visitNew', 'firstTouch'] },
  { page: 'todos', label: '待办', todoBadge: true, within: ['visitDetail'] },
  { page: 'tasks', label: '任务', whenTasks: true },
  { page: 'contracts', label: '合同', can: 'contracts.read', within: ['contract', 'contractEdit'] },
  { page: 'campaigns', label: '专项任务', can: 'campaigns.participate' },
  { page: 'campaignBoard', label: '专项看板', can: 'campaigns.manage', within: ['campaignEdit'] },
  { page: 'materials', label: '营销素材', can: 'materials.read', within: ['material', 'materialsManage'] },
  { page: 'receivables', label: '回款', can: 'receivables.read' },
  { page: 'rebates', label: '返点计算', can: 'rebates.request.create' },
  { page: 'rebateQueue', label: '返点审核', can: ['rebates.request.review', 'rebates.policy.manage'] },
  { page: 'rebateRules', label: '返点政策', can: 'rebates.policy.manage' },
  { page: 'plays', label: '赢单打法', can: 'plays.manage' },
  { page: 'customerImport', label: 'Excel 导入 / 导出', can: 'customers.import' },
  { page: 'checkins', label: '每日打卡', labelWithout: { can: 'checkins.create', label: '团队打卡' }, can: ['checkins.create', 'checkins.team.read'] },
  { page: 'me', label: '我的' },
  { page: 'deliveries', label: '消息投递', can: 'deliveries.manage' },
]

export function navItemsFor(role: Role | undefined): ConsoleNavItem[] {
  return CONSOLE_NAV.filter((item) => !item.can || (typeof item.can === 'string' ? [item.can] : item.can).some((action) => can(role, action)))
}

function wideNow(): boolean {
  return process.env.TARO_ENV === 'h5' && typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia(`(min-width: ${CONSOLE_MIN_WIDTH}px)`).matches
    : false
}

/** True in the H5 app at console width (≥ 1024 px), kept up to date as the window is resized. */
export function useConsoleLayout(): boolean {
  const [wide, setWide] = useState(wideNow)
  useEffect(() => {
    if (process.env.TARO_ENV !== 'h5' || typeof window === 'undefined' || typeof window.matchMedia !== 'function') return
    const query = window.matchMedia(`(min-width: ${CONSOLE_MIN_WIDTH}px)`)
    const update = () => setWide(query.matches)
    update()
    query.addEventListener('change', update)
    return () => query.removeEventListener('change', update)
  }, [])
  return wide
}

/** The page path now on screen (H5 hash router), e.g. `pages/customers/index`. */
function currentPath(): string {
  if (typeof window === 'undefined') return ''
  return window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? ''
}

/**
 * Navigation beside the content in the H5 console. Rendered once by the app (not per page); hidden by
 * CSS below console width, where the tab bar does the same job, and absent on the login page.
 */
export function ConsoleNav() {
  const [path, setPath] = useState(currentPath)
  const todoCount = useTodoCount()
  const taskCount = useTaskCount()
  const wide = useConsoleLayout()

  useEffect(() => {
    const update = () => setPath(currentPath())
    Taro.eventCenter.on('__afterTaroRouterChange', update)
    window.addEventListener('hashchange', update)
    return () => {
      Taro.eventCenter.off('__afterTaroRouterChange', update)
      window.removeEventListener('hashchange', update)
    }
  }, [])

  const member = getSession()?.member
  // the wall screen is the whole screen: no navigation beside it
  const shown = wide && !!member && path !== PAGES.login.path && path !== PAGES.dashboardWall.path && path !== ''
  // whether 任务 has anything for this member (asked once they are signed in and the navigation shows)
  const memberId = member?.id
  useEffect(() => {
    if (shown && memberId) void refreshTaskCount()
  }, [shown, memberId])
  // the page area makes room for the navigation only while it is there
  useEffect(() => {
    document.body.classList.toggle('console-with-nav', shown)
  }, [shown])
  if (!shown || !member) return null

  return (
    <View className='console-nav' id='console-nav'>
      <Text className='console-nav__brand'>锚点 Anchor</Text>
      {navItemsFor(member.role).map((item) => {
        const active = [item.page, ...(item.within ?? [])].some((page) => PAGES[page].path === path)
        if (item.whenTasks && !active && !hasPool(member.role) && taskCount === 0) return null
        return (
          <View
            key={item.page}
            id={`console-nav-${item.page}`}
            className={`console-nav__item ${active ? 'console-nav__item--active' : ''}`}
            onClick={() => void goTo(item.page)}
          >
            <Text>{item.labelWithout && !can(member.role, item.labelWithout.can) ? item.labelWithout.label : item.label}</Text>
            {item.todoBadge && todoCount > 0 ? (
              <Text className='console-nav__badge' id='console-nav-badge'>
                {badgeText(todoCount)}
              </Text>
            ) : null}
          </View>
        )
      })}
      <View className='console-nav__foot'>
        <Text className='console-nav__who'>{member.name}</Text>
        <Text className='console-nav__role'>{ROLE_LABELS[member.role] ?? member.role}</Text>
      </View>
    </View>
  )
}
