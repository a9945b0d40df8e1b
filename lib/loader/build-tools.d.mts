// Types of build-tools.mjs: the tools a source build needs.

export interface BuildTool {
  name: 'cmake' | 'c++';
  /** What is needed, for messages: 'cmake (>= 3.18)'. */
  tool: string;
  /** The tool's first line of --version, or null when not found. */
  found: string | null;
}

export declare function checkBuildTools(env?: NodeJS.ProcessEnv): BuildTool[];
