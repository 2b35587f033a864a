// The Dockerfile read as stages of instructions (continuation lines joined,
// comments dropped): what the tests check the image against, since no image
// can be built here.

export interface Stage {
  from: string;
  name: string;
  instructions: { keyword: string; args: string }[];
}

/** The Dockerfile's stages in order, each with its base (FROM) and instructions. */
export function dockerfileStages(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: Stage[] = [];
  for (const line of lines) {
    const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (keyword.toUpperCase() === 'FROM') {
      const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      result.push({ from, name: name ?? '', instructions: [] });
    } else if (result.length > 0) {
      result.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ') });
    }
  }
  return result;
}

/** The arguments of every `keyword` instruction of a stage, with those of the stages it is built FROM first. */
export function stageArgs(all: Stage[], name: string, keyword: string): string[] {
  const lineage = (stage: string): Stage['instructions'] => {
    const found = all.find((s) => s.name === stage)!;
    const parent = all.find((s) => s.name === found.from);
    return [...(parent ? lineage(parent.name) : []), ...found.instructions];
  };
  return lineage(name)
    .filter((i) => i.keyword === keyword)
    .map((i) => i.args);
}
