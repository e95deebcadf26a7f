/** A layer of an Express 5 router's stack: a route, or a mounted router with its own stack. */
type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/**
 * Every route an Express app or router answers, as "METHOD /path" with Express's `:param` names,
 * walking mounted routers (their mount paths are not added: the route maps mount at the root).
 */
export function routesOf(appOrRouter: unknown): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) found.push(`${m.toUpperCase()} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  const target = appOrRouter as { router?: { stack: Layer[] }; stack?: Layer[] };
  walk(target.router?.stack ?? target.stack ?? []);
  return found;
}
