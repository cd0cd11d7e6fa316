// The API's answers are typed once in shared/ (shared/src/api-types.ts); pages keep importing from here.
export type {
  Customer,
  Home,
  InviteView,
  LoginResult,
  MeView,
  MemberView,
  NamedRef,
  Options,
  Page,
  PersonRef,
  StageOption,
  TimelineEntry,
  Todo,
  VisitDetail,
  VisitDetailTodo,
  VisitSubmitted,
} from '@anchor/shared'
