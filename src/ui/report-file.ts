/**
 * A saved report file (the JSON the CLI prints with --json, or the file the app offers when a link is too
 * long): read it back, or refuse it with a message that says why.
 */
import { REPORT_SCHEMA, type Report, type Result } from '../core/model.ts';
import { REPORT_SCHEMA_VERSION, upgradeReport, validateReport } from '../core/report/index.ts';

export function parseReportJson(text: string, name: string): Result<Report> {
  let data: unknown;
  try {
    // A report saved by an earlier cachewhy opens in the current shape.
    data = upgradeReport(JSON.parse(text));
  } catch {
    return {
      ok: false,
      problem: {
        input: name,
        message: 'This file is not valid JSON, so it cannot be a cachewhy report.',
        hint: 'Open the file the app or `cachewhy --json` wrote, unchanged.',
      },
    };
  }
  if (!isObject(data) || typeof data.schema !== 'string') {
    return {
      ok: false,
      problem: {
        input: name,
        message: 'This JSON file is not a cachewhy report (it has no "schema" field).',
        hint: 'Open the file the app or `cachewhy --json` wrote.',
      },
    };
  }
  if (data.schema !== REPORT_SCHEMA) {
    const newer = /^cachewhy\.report\/v(\d+)$/.exec(data.schema);
    return {
      ok: false,
      problem:
        newer && Number(newer[1]) > REPORT_SCHEMA_VERSION
          ? {
              input: name,
              message: `This report was written by a newer cachewhy (${data.schema}); this page reads ${REPORT_SCHEMA}.`,
              hint: 'Open it with the newest version of the app.',
            }
          : { input: name, message: `Unknown report schema "${data.schema}".`, hint: 'Open a file written by cachewhy.' },
    };
  }
  const wrong = validateReport(data);
  if (wrong) {
    return {
      ok: false,
      problem: { input: name, message: `This report cannot be shown: ${wrong}. The file looks cut or edited.`, hint: 'Save the report again from the app.' },
    };
  }
  return { ok: true, value: data as unknown as Report };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Offers the report as a file download (a blob: URL, nothing leaves the machine). */
export function downloadReport(report: Report, fileName = 'cachewhy-report.json'): void {
  const blob = new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
