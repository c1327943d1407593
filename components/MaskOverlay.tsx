/**
 * The motion mask over the camera's picture while an admin edits it: the rectangles drawn
 * where the picture is (the canvas letterboxes it), and a drag adding a new one. Pointer
 * only; the Motion panel's list does the same from the keyboard.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import {
  containedBox,
  dragRect,
  rectStyle,
  type ScreenBox,
  toUnit,
  type UnitPoint,
  type UnitRect,
} from "../lib/client/mask_geometry.ts";
import { MAX_MASK_RECTS } from "../lib/client/motion_form.ts";

export interface MaskOverlayProps {
  rects: readonly UnitRect[];
  onChange(rects: UnitRect[]): void;
  /** The picture's size, px; 0 while unknown (the whole box is used). */
  imageWidth: number;
  imageHeight: number;
}

export function MaskOverlay(props: MaskOverlayProps) {
  const box = useRef<HTMLDivElement>(null);
  const [pic, setPic] = useState<{ left: string; top: string; width: string; height: string }>({
    left: "0%",
    top: "0%",
    width: "100%",
    height: "100%",
  });
  const start = useRef<UnitPoint>();
  const [drag, setDrag] = useState<UnitRect>();

  /** The picture's box on screen now. */
  const picture = (): ScreenBox => {
    const r = box.current!.getBoundingClientRect();
    return containedBox(
      { left: r.left, top: r.top, width: r.width, height: r.height },
      props.imageWidth,
      props.imageHeight,
    );
  };

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const place = () => {
      const w = el.clientWidth, h = el.clientHeight;
      const p = containedBox(
        { left: 0, top: 0, width: w, height: h },
        props.imageWidth,
        props.imageHeight,
      );
      const pct = (v: number, of: number) => `${of > 0 ? (v / of) * 100 : 0}%`;
      setPic({
        left: pct(p.left, w),
        top: pct(p.top, h),
        width: pct(p.width, w),
        height: pct(p.height, h),
      });
    };
    place();
    if (typeof ResizeObserver !== "function") return;
    const ro = new ResizeObserver(place);
    ro.observe(el);
    return () => ro.disconnect();
  }, [props.imageWidth, props.imageHeight]);

  const full = props.rects.length >= MAX_MASK_RECTS;
  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0 || full) return;
    e.preventDefault();
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    start.current = toUnit(picture(), e.clientX, e.clientY);
  };
  const onPointerMove = (e: PointerEvent) => {
    if (start.current) setDrag(dragRect(start.current, toUnit(picture(), e.clientX, e.clientY)));
  };
  const onPointerUp = (e: PointerEvent) => {
    const a = start.current;
    start.current = undefined;
    setDrag(undefined);
    if (!a) return;
    const r = dragRect(a, toUnit(picture(), e.clientX, e.clientY));
    if (r) props.onChange([...props.rects, r]);
  };

  return (
    <div ref={box} class="absolute inset-0" data-mask-overlay="">
      <div
        role="group"
        aria-label="Motion mask: drag over the picture to add a rectangle where changes are ignored"
        class={`absolute touch-none select-none ring-1 ring-inset ring-amber-400/60 ${
          full ? "cursor-not-allowed" : "cursor-crosshair"
        }`}
        style={pic}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => {
          start.current = undefined;
          setDrag(undefined);
        }}
        data-mask-picture=""
      >
        {props.rects.map((r, i) => (
          <div
            key={i}
            class="pointer-events-none absolute bg-black/60 ring-2 ring-inset ring-amber-400"
            style={rectStyle(r)}
            data-mask-shape={i}
          >
            <span class="absolute left-1 top-0.5 text-xs font-semibold text-amber-200">
              {i + 1}
            </span>
          </div>
        ))}
        {drag && (
          <div
            aria-hidden="true"
            class="pointer-events-none absolute border-2 border-dashed border-amber-300 bg-amber-300/20"
            style={rectStyle(drag)}
            data-mask-drag=""
          />
        )}
      </div>
    </div>
  );
}
