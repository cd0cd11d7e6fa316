// Taro's components as plain DOM elements, with Taro's event shape ({ detail: { value } }).
import { useState, type CSSProperties, type ReactNode } from 'react';

type Common = { id?: string; className?: string; children?: ReactNode; onClick?: () => void };
type Detail<T> = { detail: { value: T } };

// style and data-* pass through, as Taro's H5 view does
export const View = ({ id, className, children, onClick, style, ...rest }: Common & { style?: CSSProperties; [data: `data-${string}`]: unknown }) => (
  <div id={id} className={className} onClick={onClick} style={style} {...dataAttributes(rest)}>
    {children}
  </div>
);

function dataAttributes(props: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(props).filter(([k]) => k.startsWith('data-')).map(([k, v]) => [k, String(v)]));
}

export const Text = ({ id, className, children, onClick }: Common) => (
  <span id={id} className={className} onClick={onClick}>
    {children}
  </span>
);

// open-type="agreePrivacyAuthorization": WeChat fires onAgreePrivacyAuthorization after the tap
export const Button = ({ id, className, children, onClick, disabled, openType, onAgreePrivacyAuthorization }: Common & { disabled?: boolean; openType?: string; onAgreePrivacyAuthorization?: () => void }) => (
  <button
    id={id}
    className={className}
    disabled={!!disabled}
    data-open-type={openType}
    onClick={() => {
      onClick?.();
      if (openType === 'agreePrivacyAuthorization') onAgreePrivacyAuthorization?.();
    }}
  >
    {children}
  </button>
);

export const Image = ({ id, className, src, onClick }: { id?: string; className?: string; src: string; onClick?: (e: { stopPropagation: () => void }) => void }) => (
  <img id={id} className={className} src={src} alt='' onClick={onClick} />
);

type Field = { id?: string; className?: string; value?: string; placeholder?: string; maxlength?: number; onInput?: (e: Detail<string>) => void };
export const Input = ({ id, className, value, placeholder, onInput }: Field & { type?: string; confirmType?: string }) => (
  <input id={id} className={className} value={value} placeholder={placeholder} onChange={(e) => onInput?.({ detail: { value: e.target.value } })} />
);
export const Textarea = ({ id, className, value, placeholder, onInput }: Field) => (
  <textarea id={id} className={className} value={value} placeholder={placeholder} onChange={(e) => onInput?.({ detail: { value: e.target.value } })} />
);

export const Switch = ({ id, checked, onChange }: { id?: string; checked?: boolean; color?: string; onChange?: (e: Detail<boolean>) => void }) => (
  <input id={id} type='checkbox' checked={!!checked} onChange={(e) => onChange?.({ detail: { value: e.target.checked } })} />
);

/** One <select> per column; like the real picker it keeps the columns scrolled and answers all of them. */
const MultiColumns = (props: { id?: string; range: string[][]; value: number[]; onChange?: (e: Detail<number[]>) => void }) => {
  const [columns, setColumns] = useState<number[]>(props.value);
  return (
    <>
      {props.range.map((column, c) => (
        <select
          key={c}
          aria-label={`${props.id}-${c}`}
          value={String(columns[c] ?? 0)}
          onChange={(e) => {
            const next = props.range.map((_, i) => (i === c ? Number(e.target.value) : (columns[i] ?? 0)));
            setColumns(next);
            props.onChange?.({ detail: { value: next } });
          }}
        >
          {column.map((label, i) => (
            <option key={label} value={i}>
              {label}
            </option>
          ))}
        </select>
      ))}
    </>
  );
};

/** selector mode: a <select> of the range (value = index); multiSelector: one per column; date and time modes: a text input. */
export const Picker = (props: {
  id?: string;
  mode: 'selector' | 'multiSelector' | 'date' | 'time';
  range?: string[] | string[][];
  value?: number | string | number[];
  start?: string;
  end?: string;
  onChange?: (e: Detail<string | number | number[]>) => void;
  children?: ReactNode;
}) => (
  <div id={props.id} data-picker={props.mode}>
    {props.children}
    {props.mode === 'multiSelector' ? (
      <MultiColumns id={props.id} range={(props.range ?? []) as string[][]} value={(props.value ?? []) as number[]} onChange={props.onChange} />
    ) : props.mode === 'selector' ? (
      <select aria-label={props.id} value={String(props.value ?? 0)} onChange={(e) => props.onChange?.({ detail: { value: Number(e.target.value) } })}>
        {((props.range ?? []) as string[]).map((label, i) => (
          <option key={label} value={i}>
            {label}
          </option>
        ))}
      </select>
    ) : (
      <input aria-label={props.id} defaultValue={String(props.value ?? '')} onChange={(e) => props.onChange?.({ detail: { value: e.target.value } })} />
    )}
  </div>
);

/** ScrollView: a plain box (the dashboards' wide heatmaps scroll sideways in it). */
export const ScrollView = ({ id, className, children }: Common & { scrollX?: boolean; scrollY?: boolean }) => (
  <div id={id} className={className}>
    {children}
  </div>
);
