// workerd has no DOMParser, yet bundlers pick @aws-sdk/xml-builder's browser parser, which needs one
// (aws/aws-sdk-js-v3#7375). wrangler.toml and vitest.config.mts alias the package to this module,
// which re-exports the SDK's own pure-JS parser. Relative paths: an alias would also catch subpaths.
// @ts-expect-error -- the SDK declares types for its package entry only, not for files under dist-es
export { XmlNode } from '../../node_modules/@aws-sdk/xml-builder/dist-es/XmlNode.js'
// @ts-expect-error -- the SDK declares types for its package entry only, not for files under dist-es
export { XmlText } from '../../node_modules/@aws-sdk/xml-builder/dist-es/XmlText.js'
// @ts-expect-error -- the SDK declares types for its package entry only, not for files under dist-es
export { parseXML } from '../../node_modules/@aws-sdk/xml-builder/dist-es/xml-parser.js'
