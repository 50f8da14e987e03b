/**
 * A typedoc plugin: the site lists the guides in the order of their file names
 * (`01-perceptron.md`, `02-multilayer-perceptron.md` …), which is the order to read them in,
 * rather than in whatever order the file system returns them. Each guide's title on the site
 * is its front matter's `title:`, which typedoc reads itself.
 */
import { Converter } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    if (project.documents === undefined) return;
    /** @param {import('typedoc').Reflection} r */
    const file = (r) => project.files.getReflectionPath(r) ?? '';
    project.documents.sort((a, b) => (file(a) < file(b) ? -1 : file(a) > file(b) ? 1 : 0));
    // The same documents, in the same order, among the project's other children.
    const inOrder = [...project.documents];
    project.childrenIncludingDocuments = project.childrenIncludingDocuments?.map((c) =>
      c.isDocument() ? inOrder.shift() : c,
    );
  });
}
