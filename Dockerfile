# Gatehouse for operators. Untested on the development machines (no Docker engine there).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json tsconfig.build-migrations.json ./
COPY src ./src
COPY migrations ./migrations
# npm ci runs the prepare script, which compiles src/ and migrations/ to dist/ with TypeScript (a
# devDependency); npm prune then drops the devDependencies. argon2 ships prebuilt binaries for linux-x64.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# One malloc arena for the whole process (README.md, beside the thread-pool sizing): each argon2 hash
# allocates 19 MiB on a libuv thread, and glibc's per-thread arenas kept those buffers resident,
# about 70 MB more after a burst of sign-ins, at no measurable gain in speed. A 1 GB heap limit
# instead of Node's default (a quarter of the machine's memory, up to 4 GB): with a lower limit V8
# lets the heap grow to a smaller multiple of what is live before it collects, which kept the
# benchmark's app near 150 MB instead of 230 under load; 8 MiB semi-spaces (Node's are 16) take
# about 17 MB more off every peak (README.md, "Running in production").
ENV NODE_ENV=production PORT=3000 MALLOC_ARENA_MAX=1 NODE_OPTIONS="--max-old-space-size=1024 --max-semi-space-size=8"
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY views ./views
COPY public ./public
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# The compiled JavaScript: nothing is compiled at run time. Node itself is PID 1 and gets SIGTERM
# directly, with no npm in between.
CMD ["node", "dist/server.js"]
