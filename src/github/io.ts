/**
 * The runner-facing side effects (log, annotations, outputs, job summary), behind an interface so the
 * orchestration can be run in-process by tests; the real one is @actions/core.
 */
import * as core from '@actions/core';
import { annotationText, neutraliseHtmlComments, stripInvisible } from '../report/escape';


export interface AnnotationAt {
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

export interface ActionIO {
  debug(message: string): void;
  info(message: string): void;
  notice(message: string, at?: AnnotationAt): void;
  warning(message: string, at?: AnnotationAt): void;
  error(message: string, at?: AnnotationAt): void;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  writeSummary(markdown: string): Promise<void>;
}

function props(at?: AnnotationAt): core.AnnotationProperties {
  if (!at) return {};
  return { file: at.file && stripInvisible(at.file), startLine: at.line, startColumn: at.line ? at.col : undefined, title: at.title && stripInvisible(at.title) };
}

/** @actions/core escapes %, CR, LF (and ":" "," in properties) in annotations; logs need neutralising. */
export function createCoreIO(): ActionIO {
  return {
    debug: (m) => core.debug(annotationText(m)),
    info: (m) => core.info(annotationText(m)),
    notice: (m, at) => core.notice(annotationText(m), props(at)),
    warning: (m, at) => core.warning(annotationText(m), props(at)),
    error: (m, at) => core.error(annotationText(m), props(at)),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (m) => core.setFailed(m),
    writeSummary: async (markdown) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, true).write();
    },
  };
}

/**
 * Wraps any ActionIO so that what reaches it is inert: messages and annotation titles without bidi
 * overrides, invisible characters or workflow commands; summaries without HTML comments. runAction wraps
 * the injected IO with it, so every sink (the runner's, a test's) sees the same text.
 */
export function safeIO(io: ActionIO): ActionIO {
  const at = (a?: AnnotationAt): AnnotationAt | undefined =>
    a && { ...a, ...(a.file !== undefined ? { file: stripInvisible(a.file) } : {}), ...(a.title !== undefined ? { title: annotationText(a.title) } : {}) };
  return {
    debug: (m) => io.debug(annotationText(m)),
    info: (m) => io.info(annotationText(m)),
    notice: (m, a) => io.notice(annotationText(m), at(a)),
    warning: (m, a) => io.warning(annotationText(m), at(a)),
    error: (m, a) => io.error(annotationText(m), at(a)),
    setOutput: (name, value) => io.setOutput(name, value),
    setFailed: (m) => io.setFailed(annotationText(m)),
    writeSummary: (markdown) => io.writeSummary(neutraliseHtmlComments(markdown)),
  };
}

