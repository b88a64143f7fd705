// Builds src/assets/sprite.svg, one <symbol id="icon-NAME"> per src/icons/NAME.svg, which
// components/IconSprite.vue inlines into the page and AppIcon.vue references by name.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import SVGSpriter from 'svg-sprite'

const root = fileURLToPath(new URL('..', import.meta.url))
const source = join(root, 'src', 'icons')
const target = join(root, 'src', 'assets', 'sprite.svg')

const spriter = new SVGSpriter({
  dest: root,
  shape: {
    id: { generator: (name) => `icon-${basename(name, '.svg')}` },
  },
  mode: { symbol: { inline: true } },
})

const icons = (await readdir(source)).filter((name) => name.endsWith('.svg')).sort()
for (const name of icons) {
  const path = join(source, name)
  spriter.add(path, name, await readFile(path, 'utf-8'))
}
const { result } = await spriter.compileAsync()
await mkdir(join(root, 'src', 'assets'), { recursive: true })
// svg-sprite hides an inline sprite with a style attribute, which the Content-Security-Policy
// (style-src 'self') blocks; IconSprite.vue's stylesheet hides it instead.
const sprite = result.symbol.sprite.contents.toString().replace(/(<svg\b[^>]*?)\s+style="[^"]*"/, '$1')
await writeFile(target, sprite)
console.log(`icons: ${icons.length} icon(s) -> ${target}`)
