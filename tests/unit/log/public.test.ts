/**
 * Real logs posted publicly (issue threads and READMEs), not made in our lab: excerpts pasted as they
 * appear, with where each came from. "Done when real logs … are read with every visible step right."
 */
import { describe, expect, it } from 'vitest';
import { readLog, REMOTE_CACHE_NOTE } from '../../../src/core/log/index.ts';
import type { BuildTrace, Result } from '../../../src/core/model.ts';

function ok(r: Result<BuildTrace>): BuildTrace {
  if (!r.ok) throw new Error(r.problem.message);
  return r.value;
}
const rows = (t: BuildTrace): string[] => t.steps.map((s) => `${s.label} ${s.status}`);

describe('BuildKit plain', () => {
  // https://github.com/docker/buildx/issues/1901 (comment by tomasfejfar, 2023-10-16); the paste ends mid-line.
  const BUILDX_1901 = `#0 building with "builder-37c35484-92d4-4c42-9ef0-be86ce9a2d6c" instance using docker-container driver
#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 7.33kB done
#1 DONE 0.0s
#2 resolve image config for docker.io/docker/dockerfile:1.4.0
#2 ...
#3 [auth] docker/dockerfile:pull token for registry-1.docker.io
#3 DONE 0.0s
#2 resolve image config for docker.io/docker/dockerfile:1.4.0
#2 DONE 1.1s
#4 docker-image://docker.io/docker/dockerfile:1.4.0@sha256:178c4e4a93795b9365dbf6cf10da8fcf517fcb4a17f1943a775c0f548e9fc2ff
#4 resolve docker.io/docker/dockerfile:1.4.0@sha256:178c4e4a93795b9365dbf6cf10da8fcf517fcb4a17f1943a775c0f548e9fc2ff done
#4 sha256:96cc9c4d9b06a8798ac4c21bd88d4a32f3737594d10cd176ac4f2549bea93c71 0B / 9.93MB 0.2s
#4 sha256:96cc9c4d9b06a8798ac4c21bd88d4a32f3737594d10cd176ac4f2549bea93c71 9.93MB / 9.93MB 0.3s done
#4 extracting sha256:96cc9c4d9b06a8798ac4c21bd88d4a32f3737594d10cd176ac4f2549bea93c71
#4 extracting sha256:96cc9c4d9b06a8798ac4c21bd88d4a32f3737594d10cd176ac4f2549bea93c71 0.2s done
#4 DONE 0.4s
#5 [internal] load .dockerignore
#5 transferring context: 2B done
#5 DONE 0.0s
#6 [auth] library/php:pull token for registry-1.docker.io
#6 DONE 0.0s
#7 [internal] load metadata for docker.io/library/php:8.1-cl`;

  it('docker/buildx#1901: builder line, switch markers and re-printed headers, a paste cut mid-line', () => {
    const t = ok(readLog(BUILDX_1901, 'buildx-1901.log'));
    expect(t.format).toBe('buildkit-plain');
    expect(t.builder).toMatchObject({ name: 'builder-37c35484-92d4-4c42-9ef0-be86ce9a2d6c', driver: 'docker-container', digestLines: false });
    expect(t.steps).toEqual([]);
    const frontend = t.internal.filter((v) => v.kind === 'resolve-frontend');
    expect(frontend.map((v) => [v.vertices, v.status])).toEqual([
      [[2], 'built'],
      [[4], 'built'],
    ]);
    expect(t.internal.filter((v) => v.kind === 'auth')).toHaveLength(2);
    expect(t.transfers).toEqual({ context: null, dockerfile: 7330, dockerignore: 2 });
    expect(t.truncated).toBe(true);
    expect(t.internal.find((v) => v.kind === 'load-metadata')?.status).toBe('not-run');
  });

  // https://github.com/docker/build-push-action/issues/885 (josherickson, 2023-06): copied from the GitHub
  // Actions web page, so line-number links sit inside the text, and the paste begins inside vertex #17.
  const BUILD_PUSH_885 = `#17 extracting sha256:07c52888fa9c2e059c47a5111fa2451407d85a78992891d10b48cea21b32553b
#17 extracting sha256:07c52888fa9c2e059c47a5111fa2451407d85a78992891d10b48cea21b32553b 13.0s done
#17 extracting sha256:9eaf03f74596eac4c833d95b7d4fc93c90bc2dc3ecfd31612e25a66b3b6f1d25 done
#17 extracting sha256:54682[432](https://github.com/BetterOfficeApps/core-api/actions/runs/5328102425/jobs/9652337083#step:4:448)b4b7f3c6abb20ea929649511f0de6081d4e3ec4e295c43f1fe39640b
#17 extracting sha256:5[468](https://github.com/BetterOfficeApps/core-api/actions/runs/5328102425/jobs/9652337083#step:4:484)2432b4b7f3c6abb20ea929649511f0de6081d4e3ec4e295c43f1fe39640b 4.7s done
#17 DONE 47.8s

#17 [10/11] RUN chmod 700 node_modules/puppeteer/.local-chromium/linux-*/chrome-linux/chrome
#17 extracting sha256:35eb1fdebbb[482](https://github.com/BetterOfficeApps/core-api/actions/runs/5328102425/jobs/9652337083#step:4:498)0d0127f245e009a1f43bf2d27e28dce06f10a72fe72dbc7698
#17 extracting sha256:35eb1fdebbb4820d0127f245e009a1f43bf2d27e28dce06f10a72fe72dbc7698 2.3s done
#17 DONE 50.1s`;

  it('docker/build-push-action#885: a paste that starts inside a vertex gets its header when it is re-printed', () => {
    const r = readLog(BUILD_PUSH_885, 'build-push-885.log');
    const t = ok(r);
    expect(r.ok && r.problems).toBeUndefined(); // not mistaken for two builds
    // The maintainer's answer in the thread: those downloads are the remote cache being fetched, so the
    // step's DONE is a cache hit loaded from --cache-from, not a run.
    expect(t.steps.map((s) => [s.label, s.instruction, s.status, s.durationS, s.vertices])).toEqual([
      ['[10/11]', 'RUN chmod 700 node_modules/puppeteer/.local-chromium/linux-*/chrome-linux/chrome', 'cached', 50.1, [17]],
    ]);
    expect(t.steps[0]?.statusNote).toBe(REMOTE_CACHE_NOTE);
    // the GitHub line links are gone from the statuses
    expect(t.internal).toEqual([]);
  });

  // https://github.com/dassencio/codespaces-demo-cpp/issues/3 (2024-02-16): a VS Code dev-container log,
  // `<date> <time>Z: ` before some lines, one line glued to the next stamp, the paste begins inside #5.
  const CODESPACES_3 = `2024-02-16 02:29:15.118Z: #5 sha256:69c925acabe8c3a6c5a845fc6e128586e8c2c4c212ebd7e22aa102abb2098fed 254.80MB / 281.51MB 4.2s
2024-02-16 02:29:15.385Z: #5 sha256:e79a4f7fc2ddb0264ca518de31a73a1fc95103562e4ce27864407cf7255bcbb4 91.23MB / 101.43MB 4.5s2024-02-16 02:29:15.397Z: 
#5 sha256:69c925acabe8c3a6c5a845fc6e128586e8c2c4c212ebd7e22aa102abb2098fed 271.58MB / 281.51MB 4.5s
2024-02-16 02:29:15.781Z: #5 sha256:e79a4f7fc2ddb0264ca518de31a73a1fc95103562e4ce27864407cf7255bcbb4 101.43MB / 101.43MB 4.9s
2024-02-16 02:29:15.981Z: #5 sha256:4d947bfec96457f0d807a2592b82918727c971a5572bdf5b17deb7c55e9bc956 142.16MB / 142.16MB 4.4s done
2024-02-16 02:29:16.681Z: #5 sha256:69c925acabe8c3a6c5a845fc6e128586e8c2c4c212ebd7e22aa102abb2098fed 281.51MB / 281.51MB 5.7s done
2024-02-16 02:29:16.781Z: #5 sha256:e79a4f7fc2ddb0264ca518de31a73a1fc95103562e4ce27864407cf7255bcbb4 101.43MB / 101.43MB 5.8s done
2024-02-16 02:29:16.785Z: #5 sha256:b08f1146d14cafcce56e893a48473a33b3e1c663ad08a5a3984fc8be3a0de0aa 0B / 1.47kB 5.8s
2024-02-16 02:29:16.982Z: #5 sha256:b08f1146d14cafcce56e893a48473a33b3e1c663ad08a5a3984fc8be3a0de0aa 1.47kB / 1.47kB 6.1s
#5 extracting sha256:e79a4f7fc2ddb0264ca518de31a73a1fc95103562e4ce27864407cf7255bcbb4
#5 sha256:aa23e4b9b540974d5f965089cc6b55739dcc283d38c4f2fb118aaa246891afba 8.39MB / 28.14MB 6.1s`;

  it('dassencio/codespaces-demo-cpp#3: dev-container `<date> <time>Z: ` stamps on some lines, cut mid-download', () => {
    const t = ok(readLog(CODESPACES_3, 'devcontainer.log'));
    expect(t.format).toBe('buildkit-plain');
    expect(t.linePrefix).toBe('iso8601');
    expect(t.startedAt).toBe('2024-02-16 02:29:15.118Z');
    expect(t.steps).toEqual([]);
    expect(t.internal).toHaveLength(1);
    expect(t.internal[0]).toMatchObject({ status: 'not-run', vertices: [5] });
    expect(t.truncated).toBe(true);
  });
});

describe('BuildKit tty', () => {
  // https://github.com/vCloud-DFTBA/Viettel-Digital-Talent-2024, QuachDangGiang/README.md: `docker compose
  // build` in an 80-column terminal (names cut at the width), two stages, service `web`.
  const COMPOSE_WEB = `❯ docker compose build
WARN[0000] /home/giang/Downloads/vdt-midterm-frontend/docker-compose.yml: \`version\` is obsolete 
[+] Building 29.9s (16/16) FINISHED                                  docker:default
 => [web internal] load build definition from Dockerfile                       0.0s
 => => transferring dockerfile: 339B                                           0.0s
 => [web internal] load metadata for docker.io/library/nginx:1.19.0-alpine     7.6s
 => [web internal] load metadata for docker.io/library/node:14-alpine          7.5s
 => [web internal] load .dockerignore                                          0.0s
 => => transferring context: 2B                                                0.0s
 => [web internal] load build context                                          2.1s
 => => transferring context: 3.43MB                                            2.0s
 => [web build 1/6] FROM docker.io/library/node:14-alpine@sha256:434215b487a3  0.0s
 => CACHED [web stage-1 1/4] FROM docker.io/library/nginx:1.19.0-alpine@sha25  0.0s
 => CACHED [web build 2/6] WORKDIR /app                                        0.0s
 => CACHED [web build 3/6] COPY package*.json ./                               0.0s
 => CACHED [web build 4/6] RUN npm install                                     0.0s
 => [web build 5/6] COPY . .                                                  10.2s
 => [web build 6/6] RUN npm run build                                          8.8s
 => [web stage-1 2/4] COPY --from=build /app/build /usr/share/nginx/html       0.0s 
 => [web stage-1 3/4] RUN rm /etc/nginx/conf.d/default.conf                    0.2s 
 => [web stage-1 4/4] COPY nginx.conf /etc/nginx/conf.d                        0.1s 
 => [web] exporting to image                                                   0.0s 
 => => exporting layers                                                        0.0s 
 => => writing image sha256:cacd62c811fdc7304b7db89589243be2d7c7d316e8ee2cf3d  0.0s
 => => naming to docker.io/qdgiang/vdt_frontend  `;

  it('Viettel-Digital-Talent-2024 (frontend): compose tty, every visible step, cut names flagged', () => {
    const t = ok(readLog(COMPOSE_WEB, 'compose-web.txt'));
    expect(t.format).toBe('compose');
    expect(t.builder).toMatchObject({ name: 'default', driver: 'docker', era: 'buildkit-modern' });
    expect(t.steps.map((s) => [s.service, s.stage, s.index, s.status, s.truncated])).toEqual([
      ['web', 'build', 1, 'cached', true],
      ['web', 'build', 2, 'cached', false],
      ['web', 'build', 3, 'cached', false],
      ['web', 'build', 4, 'cached', false],
      ['web', 'build', 5, 'built', false],
      ['web', 'build', 6, 'built', false],
      ['web', 'stage-1', 1, 'cached', true],
      ['web', 'stage-1', 2, 'built', false],
      ['web', 'stage-1', 3, 'built', false],
      ['web', 'stage-1', 4, 'built', false],
    ]);
    expect(t.steps.find((s) => s.label === '[web build 5/6]')?.durationS).toBe(10.2);
    expect(t.transfers).toEqual({ context: 3430000, dockerfile: 339, dockerignore: 2 });
    expect(t.baseImages.map((b) => b.ref)).toEqual(['docker.io/library/nginx:1.19.0-alpine', 'docker.io/library/node:14-alpine']);
  });

  // Same README, the backend service: a single stage, so the label is `[backend 2/5]`.
  const COMPOSE_BACKEND = `[+] Building 3.7s (10/10) FINISHED                                   docker:default
 => [backend internal] load build definition from Dockerfile                   0.0s
 => => transferring dockerfile: 194B                                           0.0s
 => [backend internal] load metadata for docker.io/library/python:3.10-slim    2.7s
 => [backend internal] load .dockerignore                                      0.0s
 => => transferring context: 2B                                                0.0s
 => [backend 1/5] FROM docker.io/library/python:3.10-slim@sha256:31b1e4b1c4a1  0.0s
 => [backend internal] load build context                                      1.0s
 => => transferring context: 2.15kB                                            1.0s
 => CACHED [backend 2/5] WORKDIR /backend                                      0.0s
 => CACHED [backend 3/5] COPY requirements.txt .                               0.0s
 => CACHED [backend 4/5] RUN pip install --no-cache-dir -r requirements.txt    0.0s
 => CACHED [backend 5/5] COPY main.py .                                        0.0s
 => [backend] exporting to image                                               0.0s
 => => exporting layers                                                        0.0s
 => => writing image sha256:0e7b1031cd151c851a9906ea8004b5aaef649f0e04db2c48b  0.0s
 => => naming to docker.io/qdgiang/vdt-backend   `;

  it('Viettel-Digital-Talent-2024 (backend): `[backend 2/5]` is service backend, no stage', () => {
    const t = ok(readLog(COMPOSE_BACKEND, 'compose-backend.txt'));
    expect(t.steps.map((s) => [s.service, s.stage, s.index, s.status])).toEqual([
      ['backend', null, 1, 'cached'],
      ['backend', null, 2, 'cached'],
      ['backend', null, 3, 'cached'],
      ['backend', null, 4, 'cached'],
      ['backend', null, 5, 'cached'],
    ]);
  });

  // https://github.com/runmedev/runme/pull/515 (sourishkrout): frames of the tty display pasted one after
  // the other (a terminal that did not redraw in place), and the paste stops while the build runs.
  const RUNME_515 = ` => => transferring context: 2B                                                                                                                                               0.0s
 => [internal] load metadata for docker.io/library/alpine:latest                                                                                                              0.4s
[+] Building 1.0s (7/9)                                                                                                                                             docker:default
 => => transferring context: 2B                                                                                                                                               0.0s
 => [internal] load metadata for docker.io/library/alpine:latest                                                                                                              0.4s
 => [1/5] FROM docker.io/library/alpine:latest@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b                                                        0.0s
 => [internal] load build context                                                                                                                                             0.3s
 => => transferring context: 23.20MB`;

  it('runmedev/runme#515: appended frames merge, the unfinished build is flagged', () => {
    const t = ok(readLog(RUNME_515, 'runme.txt'));
    expect(t.format).toBe('buildkit-tty');
    expect(t.steps.map((s) => [s.label, s.status, s.truncated])).toEqual([['[1/5]', 'cached', false]]);
    expect(t.baseImages[0]).toMatchObject({
      ref: 'docker.io/library/alpine:latest',
      digest: 'sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b',
    });
    expect(t.internal.filter((v) => v.kind === 'load-metadata')).toHaveLength(1);
    expect(t.truncated).toBe(true);
    expect(t.transfers.context).toBe(23200000);
  });

  // https://github.com/coreruleset/modsecurity-crs-docker/issues/52 (fzipi, 2021-11-26): `docker buildx bake`,
  // the FROM downloads its layers; the paste ends inside the download list.
  const CRS_52 = `❯ docker buildx bake --load --set nginx-alpine.platform="linux/amd64" nginx-alpine
[+] Building 11.4s (12/12) FINISHED
 => [internal] load build definition from Dockerfile-alpine                                                       0.0s
 => => transferring dockerfile: 1.53kB                                                                            0.0s
 => [internal] load .dockerignore                                                                                 0.1s
 => => transferring context: 2B                                                                                   0.1s
 => [internal] load metadata for docker.io/owasp/modsecurity:nginx-alpine                                         2.6s
 => [auth] owasp/modsecurity:pull token for registry-1.docker.io                                                  0.0s
 => [1/6] FROM docker.io/owasp/modsecurity:nginx-alpine@sha256:1ae4c505b6e9556ba69bb04553d478f52bb7006e44dca1070  5.6s
 => => resolve docker.io/owasp/modsecurity:nginx-alpine@sha256:1ae4c505b6e9556ba69bb04553d478f52bb7006e44dca1070  0.0s
 => => sha256:1ae4c505b6e9556ba69bb04553d478f52bb7006e44dca1070150fd6176462140 1.39kB / 1.39kB                    0.0s
 => => sha256:6328e6901d438eab87fbaa737a83af4dc54be7bad66748c6e33f68ecd618cecb 16.06kB / 16.06kB                  0.0s
 => => sha256:4e89d811`;

  it('coreruleset/modsecurity-crs-docker#52: a FROM that downloads layers was pulled, not cached', () => {
    const t = ok(readLog(CRS_52, 'bake.txt'));
    expect(t.format).toBe('buildkit-tty');
    expect(t.steps.map((s) => [s.label, s.status, s.truncated, s.durationS])).toEqual([['[1/6]', 'built', true, 5.6]]);
    expect(t.steps[0]?.statusNote).toMatch(/pulled/);
    expect(t.transfers.dockerfile).toBe(1530);
  });

  // https://github.com/docker/cli/issues/5624 (spkane, 2024-11-15): the same FROM, first with the cache,
  // then with --no-cache; the leading space is lost and the names are cut at the terminal width.
  const CLI_5624_CACHE = `$ docker build .
...
=> [ 1/13] FROM docker.io/library/alpine:3.20@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4  0.0s
...`;
  const CLI_5624_NO_CACHE = `$ docker build --no-cache .
...
=> CACHED [ 1/13] FROM docker.io/library/alpine:3.20@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb752  0.0s
...`;

  it('docker/cli#5624: FROM with and without CACHED; neither is a rebuild; cut names flagged', () => {
    const a = ok(readLog(CLI_5624_CACHE, 'a.txt'));
    const b = ok(readLog(CLI_5624_NO_CACHE, 'b.txt'));
    for (const t of [a, b]) {
      expect(t.steps.map((s) => [s.label, s.stage, s.index, s.total, s.status, s.truncated])).toEqual([['[ 1/13]', null, 1, 13, 'cached', true]]);
    }
    expect(a.steps[0]?.statusNote).toMatch(/not a rebuild/);
  });
});

describe('legacy builder', () => {
  // https://github.com/moby/moby/pull/927 (shykes, 2013-06-18): one-based steps without a total, ADD ran.
  const MOBY_927 = `$ docker build .
Caching Context 20480/? (n/a)
Step 1 : FROM ubuntu:12.10
 ---> b750fe79269d
Step 2 : RUN apt-get update
 ---> Using cache
 ---> 3e11a97c3f82
Step 3 : RUN apt-get install -q -y znc
 ---> Using cache
 ---> 9dc7a7486e87
Step 4 : ADD . /src
 ---> Running in cd485a64f4e5
 ---> e5c7a600f55f
Step 5 : RUN cd /src && chmod +x zncrun && cp zncrun /usr/local/bin/
 ---> Running in 4364147033ee
 ---> 530281523792
Step 6 : RUN mkdir /.znc && chown irc: /.znc
 ---> Running in 55cbeda6cfea
 ---> 3bc2659ff2cf
Step 7 : EXPOSE 6667
 ---> Running in 1c98533d0fb8
 ---> 9a0c13d994e3
Step 8 : CMD ["zncrun"]
 ---> Running in d0d676825465
 ---> 1131036da4b5
Successfully built 1131036da4b5`;

  it('moby/moby#927: Docker 0.4 output', () => {
    const t = ok(readLog(MOBY_927, 'moby-927.txt'));
    expect(t.format).toBe('legacy');
    expect(rows(t)).toEqual([
      'Step 1 cached',
      'Step 2 cached',
      'Step 3 cached',
      'Step 4 built',
      'Step 5 built',
      'Step 6 built',
      'Step 7 built',
      'Step 8 built',
    ]);
    expect(t.steps.every((s) => s.total === null)).toBe(true);
    expect(t.imageId).toBe('1131036da4b5');
  });

  // https://github.com/wouterd/docker-maven-plugin/issues/72 (icksa, 2015-07-01): zero-based steps.
  const MAVEN_72 = `Step 0 : FROM m-ubuntu
 ---> f898fb0ac394
Step 1 : MAINTAINER Steve
 ---> Using cache
 ---> 20341d993499
Step 2 : RUN apt-get update &&     apt-get install -y supervisor swift
 ---> Using cache
 ---> c63eb3d812e9`;

  it('wouterd/docker-maven-plugin#72: zero-based `Step 0 :` numbering', () => {
    const t = ok(readLog(MAVEN_72, 'maven-72.txt'));
    expect(t.steps.map((s) => [s.label, s.index, s.instruction, s.status])).toEqual([
      ['Step 0', 1, 'FROM m-ubuntu', 'cached'],
      ['Step 1', 2, 'MAINTAINER Steve', 'cached'],
      ['Step 2', 3, 'RUN apt-get update &&     apt-get install -y supervisor swift', 'cached'],
    ]);
  });

  // https://github.com/docker/cli/issues/3921 (sergebesson, 2022-12-17): two builds pasted one after the other.
  const CLI_3921 = `$ docker build -f Dockerfile test/
Sending build context to Docker daemon  2.589kB
Step 1/2 : FROM alpine:latest
 ---> 49176f190c7e
Step 2/2 : COPY . .
 ---> be5cb22677e3
Successfully built be5cb22677e3

$ docker build -f Dockerfile test/
Sending build context to Docker daemon  2.589kB
Step 1/2 : FROM alpine:latest
 ---> 49176f190c7e
Step 2/2 : COPY . .
 ---> cf6e9713b17b
Successfully built cf6e9713b17b`;

  it('docker/cli#3921: COPY without "Using cache" ran; the second build in the paste is not merged', () => {
    const r = readLog(CLI_3921, 'cli-3921.txt');
    const t = ok(r);
    expect(rows(t)).toEqual(['Step 1/2 cached', 'Step 2/2 built']);
    expect(t.transfers.context).toBe(2589);
    expect(t.imageId).toBe('be5cb22677e3');
    expect(r.ok && r.problems?.[0]?.message).toMatch(/holds 2 builds/);
  });
});
