# message-trace-mcp as a remote MCP server (Streamable HTTP, Entra ID sign-in); see README
# "Remote deployment". Build: docker build -t message-trace-mcp .
# Run:   docker run -p 8080:8080 -e AZURE_TENANT_ID=... -e MESSAGE_TRACE_HTTP_AUDIENCE=api://... \
#          -e MESSAGE_TRACE_HTTP_PUBLIC_URL=https://message-trace.contoso.com ... message-trace-mcp

# Build stage: dev dependencies and the TypeScript compiler stay here.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and dist/ only, as the unprivileged "node" user.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    MESSAGE_TRACE_HTTP_ADDRESS=0.0.0.0:8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const p=(process.env.MESSAGE_TRACE_HTTP_ADDRESS||'').split(':').pop()||'8080';fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/index.js"]
CMD ["--http"]
