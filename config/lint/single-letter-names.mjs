/**
 * A local ESLint rule: no single-letter names outside tiny lambdas. A variable, a function or a
 * parameter of a declared function is named for what it holds; the parameters of arrow functions
 * (`(a, b) => …`), loop counters (`for (let i …)`) and `_` stay allowed.
 */
const ALLOWED = new Set(['_', 'i', 'j', 'k', 'n']);

export default {
  meta: { type: 'suggestion', docs: { description: 'single-letter names only in tiny lambdas and loop counters' }, schema: [] },
  create(context) {
    const report = (id, what) => {
      if (id && id.type === 'Identifier' && id.name.length === 1 && !ALLOWED.has(id.name)) {
        context.report({ node: id, message: `the ${what} "${id.name}": name it for what it holds` });
      }
    };
    const inForInit = (node) =>
      node.parent?.parent && ['ForStatement', 'ForInStatement', 'ForOfStatement'].includes(node.parent.parent.type);
    return {
      VariableDeclarator(node) {
        if (inForInit(node)) return;
        // A variable holding a tiny lambda is a lambda too; a destructured name is the source's.
        if (node.id.type === 'Identifier') report(node.id, 'variable');
      },
      FunctionDeclaration(node) {
        report(node.id, 'function');
        for (const p of node.params) report(p.type === 'AssignmentPattern' ? p.left : p, 'parameter');
      },
      'MethodDefinition > FunctionExpression'(node) {
        for (const p of node.params) report(p.type === 'AssignmentPattern' ? p.left : p, 'parameter');
      },
    };
  },
};
